// Theme toggle and the phone-width menu.
(function () {
  const root = document.documentElement;
  const toggle = document.getElementById("theme-toggle");
  if (toggle) toggle.addEventListener("click", () => {
    const next = root.dataset.theme === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    localStorage.setItem("flaxu-theme", next);
  });
  const navToggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (navToggle && nav) navToggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    navToggle.setAttribute("aria-expanded", String(open));
  });
})();

// The saved colour theme, applied before the first paint (loaded in <head>, not deferred, so no flash).
document.documentElement.dataset.theme = localStorage.getItem("flaxu-theme") || "dark";

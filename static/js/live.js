// The live connection: one websocket to /ws/ per page, shown by #live-indicator.
//
// Every message is {"type": ..., "data": ...}. Pages listen with
//   window.flaxuLive.on("ticker", (data, message) => ...)      // returns a function that stops listening
//   document.addEventListener("flaxu:ticker", (e) => e.detail)  // the same, as a DOM event
// and join public groups with window.flaxuLive.subscribe(["ticker.btc-usdt-usdt"]) (kept across reconnects).
// On every (re)connect the server sends "hello": a good moment for a page to refetch what it may have missed.
(function () {
  "use strict";

  const PING_MS = 25000;
  const STALE_MS = 2 * PING_MS + 10000; // nothing heard for this long: the connection is dead, reconnect
  const MAX_BACKOFF_MS = 30000;
  const CLOSE_UNAUTHENTICATED = 4401; // signed out, token revoked, password changed
  const CLOSE_FORBIDDEN = 4403; // account suspended or disabled

  const indicator = document.getElementById("live-indicator");
  const label = indicator ? indicator.querySelector(".live-label") : null;
  const handlers = new Map(); // type -> Set of functions
  const wanted = new Set(); // public groups the page asked for
  let socket = null;
  let attempt = 0;
  let pingTimer = null;
  let retryTimer = null;
  let lastHeard = 0;
  let isLive = false;

  function setState(state, text) {
    if (indicator) indicator.dataset.state = state;
    if (label) label.textContent = text;
  }

  function send(message) {
    if (isLive && socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  function dispatch(message) {
    const set = handlers.get(message.type);
    if (set) {
      for (const handler of Array.from(set)) {
        try {
          handler(message.data, message);
        } catch (error) {
          console.error("flaxuLive handler for " + message.type + " failed", error);
        }
      }
    }
    document.dispatchEvent(new CustomEvent("flaxu:" + message.type, { detail: message.data }));
  }

  function connect() {
    retryTimer = null;
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    setState("connecting", "Connecting…");
    try {
      socket = new WebSocket(scheme + "//" + window.location.host + "/ws/");
    } catch (error) {
      scheduleReconnect();
      return;
    }
    const current = socket;
    current.addEventListener("message", (event) => {
      if (current !== socket) return;
      lastHeard = Date.now();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (!message || typeof message.type !== "string") return;
      if (message.type === "hello") {
        isLive = true;
        attempt = 0;
        setState("live", "Live");
        if (wanted.size) send({ type: "subscribe", data: { groups: Array.from(wanted) } });
      }
      dispatch(message);
    });
    current.addEventListener("close", (event) => {
      if (current !== socket) return;
      socket = null;
      isLive = false;
      // Signed out elsewhere or no longer admitted: retry slowly.
      if (event.code === CLOSE_UNAUTHENTICATED || event.code === CLOSE_FORBIDDEN) attempt = Math.max(attempt, 5);
      dispatch({ type: "offline", data: { code: event.code } });
      scheduleReconnect();
      if (event.code === CLOSE_FORBIDDEN) announceRefusal();
    });
  }

  // Refused (suspended or disabled, e.g. by staff while this page was open): the indicator says so, and the
  // polite live region #live-toast says why (Daphne drops the close reason, so it is asked of the access
  // status, which a suspended account may still read). Text, never markup.
  function announceRefusal() {
    setState("refused", "No access");
    const toast = document.getElementById("live-toast");
    if (!toast) return;
    toast.textContent = "Live updates stopped: this account has no access now.";
    fetch("/api/gatekeeper/status", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((status) => {
        if (status && status.level === "SUSPENDED") {
          toast.textContent = "Live updates stopped. Your account is suspended: " + (status.reason || "see Access.");
        }
      })
      .catch(() => {});
  }

  function scheduleReconnect() {
    setState("offline", "Offline — retrying");
    if (retryTimer) return;
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt);
    attempt += 1;
    const delay = base / 2 + Math.random() * (base / 2); // jitter, so many tabs do not reconnect in step
    retryTimer = window.setTimeout(connect, delay);
  }

  function heartbeat() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (isLive && Date.now() - lastHeard > STALE_MS) {
      socket.close(); // half-open connection: the close handler reconnects
      return;
    }
    send({ type: "ping" });
  }

  function normalizeGroups(groups) {
    return (Array.isArray(groups) ? groups : [groups]).filter((g) => typeof g === "string" && g);
  }

  window.flaxuLive = {
    on(type, handler) {
      if (!handlers.has(type)) handlers.set(type, new Set());
      handlers.get(type).add(handler);
      return () => handlers.get(type).delete(handler);
    },
    subscribe(groups) {
      const list = normalizeGroups(groups);
      list.forEach((g) => wanted.add(g));
      if (list.length) send({ type: "subscribe", data: { groups: list } });
    },
    unsubscribe(groups) {
      const list = normalizeGroups(groups);
      list.forEach((g) => wanted.delete(g));
      if (list.length) send({ type: "unsubscribe", data: { groups: list } });
    },
    send,
    get live() {
      return isLive;
    },
  };

  // A "notification" push: its title, for a few seconds, in the page's polite live region #live-toast
  // (textContent only: the title is data, never HTML). The top bar's bell refreshes itself through htmx.
  const toast = document.getElementById("live-toast");
  const TOAST_MS = 8000;
  let toastTimer = null;
  window.flaxuLive.on("notification", (data) => {
    if (!toast || !data || typeof data.title !== "string" || !data.title) return;
    toast.textContent = "New notification: " + data.title;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => {
      toast.textContent = "";
    }, TOAST_MS);
  });

  window.addEventListener("online", () => {
    if (!socket && retryTimer) {
      window.clearTimeout(retryTimer);
      attempt = 0;
      connect();
    }
  });
  // Leaving the page closes the socket quietly; coming back from the back/forward cache reopens it.
  window.addEventListener("pagehide", () => {
    window.clearInterval(pingTimer);
    window.clearTimeout(retryTimer);
    retryTimer = null;
    isLive = false;
    const closing = socket;
    socket = null;
    if (closing) closing.close(1000);
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) start();
  });

  function start() {
    attempt = 0;
    pingTimer = window.setInterval(heartbeat, PING_MS);
    connect();
  }
  start();
})();

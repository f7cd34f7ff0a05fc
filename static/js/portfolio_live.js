// The Portfolio page: the position monitor pushes "trade.pnl" (open live trades' mark price and PnL) after
// each sync; the open-positions fragment refreshes on it (as a "flaxu:trade-pnl" DOM event, a name htmx
// triggers read plainly), besides the "trade" push and its own 15 s poll.
(function () {
  "use strict";

  if (!window.flaxuLive) return;
  window.flaxuLive.on("trade.pnl", (data) => {
    document.dispatchEvent(new CustomEvent("flaxu:trade-pnl", { detail: data }));
  });
})();

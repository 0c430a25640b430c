// learnhub web UI: small enhancements only; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // GOV.UK pattern: move focus to the error summary so screen readers announce it at once.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    // A summary link focuses its field instead of only scrolling to it.
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const field = link && document.getElementById(link.hash.slice(1));
      if (field) {
        event.preventDefault();
        field.focus();
        field.scrollIntoView({ block: "center" });
      }
    });
  }

  // A quiz's deadline comes from the server and is written on the page; this only adds a
  // countdown, announced politely and at most once a minute.
  const countdown = document.querySelector("[data-deadline]");
  if (countdown) {
    const deadline = Date.parse(countdown.dataset.deadline);
    const language = document.documentElement.lang || "en";
    const words = language === "pt"
      ? { left: (m) => `Restam ${m} min`, over: "O tempo acabou" }
      : { left: (m) => `${m} min left`, over: "Time is up" };
    const tick = () => {
      const minutes = Math.ceil((deadline - Date.now()) / 60000);
      const text = minutes > 0 ? words.left(minutes) : words.over;
      if (countdown.textContent !== text) countdown.textContent = text;
      if (minutes > 0) window.setTimeout(tick, 15000);
    };
    if (!Number.isNaN(deadline)) {
      countdown.hidden = false;
      tick();
    }
  }
});

// The case page: refresh the transcript while the case is open, so new messages from the person show up
// without reloading (and without losing a reply being typed).
(function () {
  const box = document.getElementById("transcript");
  if (!box || !box.dataset.refresh) return;
  const every = Number(box.dataset.refresh) * 1000;
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(box.dataset.src, { credentials: "same-origin" });
      if (response.ok && !response.redirected) box.innerHTML = await response.text();
    } catch (e) { /* offline for a moment: the next pass tries again */ }
  }, every);
})();

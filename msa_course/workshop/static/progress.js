// The progress page re-reads the room every few seconds (data-refresh on <body>) and
// replaces it in place; when the server cannot be reached it keeps the last room and says so.
(() => {
  const room = document.getElementById("room");
  const status = document.getElementById("status");
  const seconds = Number(document.body.dataset.refresh) || 3;
  async function refresh() {
    try {
      const response = await fetch("room" + window.location.search, {
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
      });
      if (response.ok && response.headers.get("X-Msa-Room") === "1") {
        room.innerHTML = await response.text();
        status.textContent = "";
      } else {
        status.textContent = document.body.dataset.offline;
      }
    } catch (error) {
      status.textContent = document.body.dataset.offline;
    }
    window.setTimeout(refresh, seconds * 1000);
  }
  window.setTimeout(refresh, seconds * 1000);
})();

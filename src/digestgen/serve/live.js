// digestgen serve: reload this tab when the site is rebuilt. Injected into served pages only.
//
// Long-polls the preview server. Only a visible tab keeps a poll open, so many open tabs never
// use up the browser's few connections per host; a hidden tab asks again when it is shown and
// reloads at once if a build finished meanwhile. It names its page as it waits: the preview
// remakes the pages on screen first after a template edit, and then tells their tabs that
// the full rebuild which follows has nothing new for them.
(function () {
  "use strict";
  var script = document.currentScript;
  var seen = script.dataset.version;
  var endpoint = script.dataset.poll;
  var pending = null;  // the AbortController of the poll in flight
  var retry = 250;

  function poll() {
    if (pending || document.hidden) return;
    var controller = new AbortController();
    pending = controller;
    var query = "?since=" + encodeURIComponent(seen) + "&page=" + encodeURIComponent(location.pathname);
    fetch(endpoint + query, { cache: "no-store", signal: controller.signal })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (state) {
        pending = null;
        retry = 250;
        if (state.go) {
          location.href = state.go;  // this page's article or story lives at another address now
        } else if (state.version !== seen && state.reload !== false) {
          location.reload();  // the server renders the error overlay, if any, into the new page
        } else {
          seen = state.version;
          poll();
        }
      })
      .catch(function () {
        if (pending !== controller) return;  // aborted because the tab was hidden
        pending = null;
        // The server is restarting or gone: try again, less and less often.
        setTimeout(poll, retry);
        retry = Math.min(retry * 2, 5000);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden && pending) {
      var controller = pending;
      pending = null;
      controller.abort();
    } else {
      poll();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-digestgen-dismiss]")) {
      var overlay = document.getElementById("digestgen-overlay");
      if (overlay) overlay.remove();
    }
  });

  poll();
})();

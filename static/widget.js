/* Switchboard's chat bubble: <script src="https://hub.example/widget.js" data-hub="https://hub.example"></script>
   puts a button at the bottom right of the page; it opens the hub's /widget in a frame.
   data-hub: the hub's address (default: where this script came from);
   data-token: a token for hubs in strict mode (or ?token= on this script's address). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || document.getElementById("switchboard-bubble")) return;
  var source = new URL(script.src, location.href);
  var hub = (script.getAttribute("data-hub") || source.origin).replace(/\/+$/, "");
  var token = script.getAttribute("data-token") || source.searchParams.get("token") || "";
  var frame = null;

  var bubble = document.createElement("button");
  bubble.id = "switchboard-bubble";
  bubble.type = "button";
  bubble.textContent = "Chat";
  bubble.setAttribute("aria-label", "Open the chat");
  bubble.setAttribute("aria-expanded", "false");
  bubble.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483647;width:64px;height:64px;" +
    "border-radius:50%;border:2px solid #fff;background:#0b3d91;color:#fff;font:600 15px system-ui,sans-serif;" +
    "box-shadow:0 2px 10px rgba(0,0,0,.35);cursor:pointer;";

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "switchboard-chat";
      frame.title = "Chat with us";
      frame.src = hub + "/widget" + (token ? "?token=" + encodeURIComponent(token) : "");
      frame.style.cssText = "position:fixed;right:16px;bottom:92px;z-index:2147483647;" +
        "width:min(380px,calc(100vw - 32px));height:min(560px,calc(100vh - 110px));" +
        "border:1px solid #888;border-radius:12px;background:#fff;box-shadow:0 4px 18px rgba(0,0,0,.3);";
      document.body.appendChild(frame);
    }
    frame.style.display = "block";
    bubble.setAttribute("aria-expanded", "true");
    bubble.setAttribute("aria-label", "Close the chat");
    bubble.textContent = "×";
  }
  function close() {
    if (frame) frame.style.display = "none";
    bubble.setAttribute("aria-expanded", "false");
    bubble.setAttribute("aria-label", "Open the chat");
    bubble.textContent = "Chat";
    bubble.focus();
  }
  bubble.addEventListener("click", function () {
    bubble.getAttribute("aria-expanded") === "true" ? close() : open();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && bubble.getAttribute("aria-expanded") === "true") close();
  });
  function place() { document.body.appendChild(bubble); }
  document.body ? place() : document.addEventListener("DOMContentLoaded", place);
})();

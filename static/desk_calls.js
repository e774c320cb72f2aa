/* The agent desk's calls panel (seed 000), loaded by /desk after its own script, whose `state`,
   `$`, `rest`, `WORDS`, `showError` and `clearError` it uses. It counts the callers waiting
   (GET /api/calls every 2 s), takes the next one as an agent leg (POST /api/calls/start, then
   /ws/call/{call_id} with start_call), shows the queue place, the match, the transcript both
   ways and the end of the call with its reason, and hangs up with a call_ended frame. */
"use strict";
const call = { id: "", socket: null, partner: "", matched: false, over: true, hangingUp: false, timer: 0, lastSent: null };
Object.assign(WORDS, {
  queue_full: "Too many agents are already waiting for callers; try again later",
  invalid_field: "Some details are not accepted", invalid_body: "The hub could not read the request",
  not_matched: "No caller is connected yet; the line was not sent", call_ended: "The call has already ended",
  partner_not_connected: "The caller is not connected; the line was not sent",
  unknown_call: "The hub does not know this call", already_connected: "This call is already open in another tab",
  too_many_connections: "Too many connections are open; close one and try again",
});
const CALL_END_WORDS = {
  customer_hung_up: "the caller hung up", agent_hung_up: "you hung up",
  customer_disconnected: "the caller's connection was lost", agent_disconnected: "your connection to the call was lost",
  ended_via_api: "it was ended from outside the desk", connect_timeout: "the other side never connected",
  server_shutdown: "the hub is shutting down",
};
function callState(text) { $("call-state").textContent = text; }
function drawCallButtons() {
  $("call-take").disabled = !call.over;
  $("call-hangup").disabled = call.over;
  $("call-line").disabled = call.over || !call.matched;
  $("call-send").disabled = call.over || !call.matched;
}
async function refreshCallers() {
  if (!state.signedIn) return;
  const body = await rest("GET", "/api/calls");
  if (!body) return;
  const waiting = (body.waiting_customers || []).length;
  $("callers").textContent = waiting === 0 ? "No caller is waiting." : waiting === 1 ? "1 caller is waiting." : waiting + " callers are waiting.";
}
function transcriptLine(who, speaker, text) {
  const item = document.createElement("li");
  item.className = speaker;
  const mark = document.createElement("span");
  mark.className = "who";
  mark.textContent = who;
  item.append(mark, document.createTextNode(text));
  $("call-transcript").append(item);
  $("call-transcript").scrollTop = $("call-transcript").scrollHeight;
  return item;
}
// The call socket does not confirm a line it relays, and refuses one at once (not_matched,
// partner_not_connected, too_fast, invalid_fields): the last line sent is marked not sent and
// put back in the field, so it is not lost.
function lineRefused() {
  const sent = call.lastSent;
  if (!sent) return;
  call.lastSent = null;
  sent.item.classList.add("unsent");
  sent.item.append(document.createTextNode(" (not sent)"));
  if (!$("call-line").value.trim()) $("call-line").value = sent.text;
}
async function takeCaller() {
  if (!call.over) return;
  clearError();
  $("call-take").disabled = true;
  const body = await rest("POST", "/api/calls/start", { user_type: "agent", user_name: state.agentName });
  if (!body) { drawCallButtons(); return; }
  Object.assign(call, { id: body.call_id, partner: "", matched: false, over: false, hangingUp: false, lastSent: null });
  $("call-transcript").textContent = "";
  callState(body.status === "matched" ? "Connecting to " + body.partner_name + "…" : "Waiting for a caller…");
  drawCallButtons();
  openCall();
}
function openCall() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const query = state.token ? "?token=" + encodeURIComponent(state.token) : "";
  const socket = new WebSocket(scheme + "//" + location.host + "/ws/call/" + encodeURIComponent(call.id) + query);
  call.socket = socket;
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: "start_call", call_id: call.id, agent_name: state.agentName, timestamp: new Date().toISOString() }));
  };
  socket.onmessage = (event) => { try { callReceive(JSON.parse(event.data)); } catch (failure) { showError("invalid_json", "an unreadable frame from the call"); } };
  socket.onclose = () => {
    if (call.socket !== socket || call.over) return;
    callOver(call.hangingUp ? "Call ended: you hung up." : "The connection to the call was lost, so the call has ended.");
  };
}
function callReceive(frame) {
  if (frame.type === "queue_position") callState("Waiting for a caller: you are number " + frame.position + " among the agents waiting.");
  else if (frame.type === "call_started" && frame.status === "waiting" && !call.matched) callState("Waiting for a caller…");
  else if (frame.type === "call_matched") {
    Object.assign(call, { matched: true, partner: frame.partner_name || "the caller" });
    callState("In a call with " + call.partner + ".");
    drawCallButtons();
    refreshCallers();
    $("call-line").focus();
  } else if (frame.type === "transcript") transcriptLine(call.partner || "Caller", frame.speaker || "customer", frame.text || "");
  else if (frame.type === "call_ended") callOver("Call ended: " + (CALL_END_WORDS[frame.reason] || frame.reason || "no reason given") + ".");
  else if (frame.type === "error") { showError(frame.error, frame.detail); lineRefused(); }
}
function callOver(text) {
  call.over = true;
  callState(text);
  drawCallButtons();
  refreshCallers();
}
function hangUp() {
  if (call.over || !call.socket) return;
  call.hangingUp = true;
  if (call.socket.readyState === WebSocket.OPEN) call.socket.send(JSON.stringify({ type: "call_ended" }));
  else {
    // Not connected yet: withdraw the leg over REST, or it would wait to be matched.
    rest("POST", "/api/calls/" + encodeURIComponent(call.id) + "/end", {});
    call.socket.close();
  }
}
$("call-take").onclick = takeCaller;
$("call-hangup").onclick = hangUp;
$("call-composer").onsubmit = (event) => {
  event.preventDefault();
  const text = $("call-line").value.trim();
  if (!text || call.over || !call.matched || call.socket.readyState !== WebSocket.OPEN) return;
  clearError();
  call.socket.send(JSON.stringify({ type: "transcript", text }));
  call.lastSent = { text, item: transcriptLine("You", "agent", text) };
  $("call-line").value = "";
};
function startCalls() {
  $("calls-box").hidden = false;
  drawCallButtons();
  refreshCallers();
  if (!call.timer) call.timer = setInterval(refreshCallers, 2000);
}
document.addEventListener("desk-signed-in", startCalls);
if (state.signedIn) startCalls();

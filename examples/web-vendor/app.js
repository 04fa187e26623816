// The example web vendor: asks the person's Selfmodel for a grant, shows the user code, waits for
// the approval, then reads beliefs for one purpose through CORS and shows them (as text only).

import { Client } from "./sdk/browser.js";

const PURPOSE = "communication";
const $ = (id) => document.getElementById(id);

/** `?api=` and `?key=` fill the form (both are public: a loopback URL and a public key). */
function prefill() {
  const params = new URLSearchParams(location.search);
  for (const name of ["api", "key"]) {
    const value = params.get(name);
    if (value) $(name).value = value;
  }
}

function show(state, text) {
  document.body.dataset.state = state;
  $("status").textContent = text;
}

function render(beliefs) {
  const list = $("beliefs");
  list.replaceChildren(
    ...beliefs.map((b) => {
      const item = document.createElement("li");
      const confidence = document.createElement("span");
      confidence.className = "confidence";
      confidence.textContent = b.confidence.toFixed(2);
      item.dataset.id = b.id;
      item.append(confidence, document.createTextNode(b.statement));
      return item;
    }),
  );
}

async function run() {
  $("go").disabled = true;
  $("beliefs").replaceChildren();
  show("asking", "Asking Selfmodel…");
  const key = $("key").value.trim();
  const client = new Client({ url: $("api").value.trim(), serverKey: key || undefined });
  const pending = await client.requestGrant({
    vendor: { id: "com.example.web-notes", name: "Example Notes (web)", url: location.origin },
    purposes: [PURPOSE],
    categories: ["communication-style", "expertise"],
    origins: [location.origin],
    duration_days: 1,
    justification: "Adapt the tone and length of notes to how you like to be addressed",
  });
  $("code").textContent = pending.user_code;
  $("command").textContent = `selfmodel grant approve ${pending.request_id}`;
  $("pending").hidden = false;
  show("pending", "Waiting for your approval in Selfmodel…");

  const approval = await client.waitForApproval(pending);
  $("pending").hidden = true;
  // A real vendor would keep the token and the pinned key for its next visit.
  const reader = client.withToken(approval.token);
  show("reading", `Approved (Selfmodel key ${reader.serverKey}). Reading…`);
  const beliefs = [];
  for await (const page of reader.beliefPages({ purpose: PURPOSE })) {
    beliefs.push(...page.beliefs);
    render(beliefs);
  }
  show("done", `${beliefs.length} beliefs for the purpose "${PURPOSE}".`);
}

prefill();
$("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  run()
    .catch((e) => show("failed", `Refused: ${e.name}: ${e.message}`))
    .finally(() => {
      $("go").disabled = false;
    });
});

// chiapool farmer page: pool stats from /api/pool, one farmer from
// /api/farmer. Text goes in through textContent only: values come from
// farmers (payout instructions) and must never become markup.
"use strict";

function row(table, label, value) {
  const tr = document.createElement("tr");
  const th = document.createElement("th");
  const td = document.createElement("td");
  th.textContent = label;
  td.textContent = value;
  td.className = "n";
  tr.append(th, td);
  table.append(tr);
}

function when(ts) {
  return new Date(ts * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC");
}

async function getJSON(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error("HTTP " + r.status);
  const j = await r.json();
  if ("error_code" in j) throw new Error(j.error_message + " (code " + j.error_code + ")");
  return j;
}

async function loadPool() {
  const t = document.getElementById("pool");
  try {
    const p = await getJSON("/api/pool");
    document.getElementById("name").textContent = p.name;
    document.title = p.name;
    t.replaceChildren();
    row(t, "Network", p.network);
    row(t, "Fee", (Number(p.fee) * 100).toFixed(2) + " %");
    row(t, "Payout scheme", p.payout_scheme);
    row(t, "Minimum difficulty", p.minimum_difficulty);
    row(t, "Members", p.members);
    row(t, "Total points", p.total_points);
    row(t, "Pending partials", p.pending_partials);
    row(t, "Partials/s (last minute)", p.partials_per_second.toFixed(2));
  } catch (e) {
    t.replaceChildren();
    row(t, "Error", e.message);
  }
}

async function lookup(ev) {
  ev.preventDefault();
  const out = document.getElementById("farmer");
  const id = document.getElementById("lid").value.trim();
  out.replaceChildren();
  try {
    const f = await getJSON("/api/farmer?launcher_id=" + encodeURIComponent(id));
    const t = document.createElement("table");
    row(t, "Launcher id", f.launcher_id);
    row(t, "Pool member", f.is_pool_member ? "yes" : "no");
    row(t, "Difficulty", f.difficulty);
    row(t, "Points", f.points);
    row(t, "Partials (24 h)", f.partials_24h);
    row(t, "Balance (mojo)", f.balance);
    row(t, "Payout instructions", f.payout_instructions);
    row(t, "Joined", when(f.joined_at));
    out.append(t);
    if (f.payouts.length) {
      const h = document.createElement("h3");
      const r = document.createElement("table");
      h.textContent = "Payouts";
      for (const p of f.payouts) row(r, when(p.time), p.amount + " mojo");
      out.append(h, r);
    }
    if (f.recent_partials.length) {
      const h = document.createElement("h3");
      const r = document.createElement("table");
      h.textContent = "Recent partials";
      for (const [ts, d] of f.recent_partials) row(r, when(ts), "difficulty " + d);
      out.append(h, r);
    }
  } catch (e) {
    const p = document.createElement("p");
    p.className = "err";
    p.textContent = e.message;
    out.append(p);
  }
}

document.getElementById("url").textContent = location.origin;
document.getElementById("lookup").addEventListener("submit", lookup);
loadPool();
setInterval(loadPool, 10000);

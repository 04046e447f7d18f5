"""The validation-web page: self-contained HTML (no CDN, works offline), in Indonesian as the
real page is, walking the operator's flow inside the facility system's iframe.

1. the agent the URL was made for; 2. the patient's NIK and name; 3. "Minta Kode Verifikasi"
issues a challenge code, and a side panel shows what the patient's SATUSEHAT Mobile app would
display; 4. the operator types the code the patient reads out; 5. the verdict: validated, wrong
code or expired.
"""

import html
import json
from typing import Any

from starlette.responses import HTMLResponse

STYLE = """
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
sans-serif;background:#f2f6f9;color:#1d2b36}header{background:#0b6e8a;color:#fff;padding:12px 20px;
display:flex;justify-content:space-between;align-items:center}header b{font-size:17px}
.badge{background:#ffd54d;color:#333;border-radius:4px;padding:2px 8px;font-size:12px}
main{display:flex;gap:20px;padding:20px;flex-wrap:wrap}section.card{background:#fff;border-radius:8px;
box-shadow:0 1px 3px #0002;padding:18px;flex:1 1 340px}label{display:block;margin:10px 0 4px;
font-weight:600}
input{width:100%;padding:9px;border:1px solid #b9c7d1;border-radius:6px;font:inherit}
button{margin-top:14px;background:#0b6e8a;color:#fff;border:0;border-radius:6px;padding:10px 16px;
font:inherit;cursor:pointer}button:disabled{background:#9bb}.muted{color:#5d6d78;font-size:13px}
.phone{flex:0 1 260px;background:#1d2b36;border-radius:28px;padding:14px;color:#fff}
.screen{background:#fff;color:#1d2b36;border-radius:18px;min-height:300px;padding:16px;text-align:center}
.code{font-size:34px;letter-spacing:6px;font-weight:700;margin:14px 0;color:#0b6e8a}
.verdict{margin-top:16px;padding:12px;border-radius:6px;font-weight:600;display:none}
.ok{background:#dff5e3;color:#1b6b2c;display:block}.bad{background:#fde2e1;color:#9b1c1c;display:block}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0}dt{color:#5d6d78}
"""

SCRIPT = """
const S = JSON.parse(document.getElementById('session').textContent);
const $ = (id) => document.getElementById(id);
async function call(path, body) {
  const r = await fetch(S.base + path, {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  let j = {}; try { j = await r.json(); } catch (e) {}
  return {status: r.status, body: j};
}
function show(kind, text) {
  const v = $('verdict'); v.className = 'verdict ' + kind; v.textContent = text;
}
$('request-code').addEventListener('click', async () => {
  const nik = $('nik').value.trim(), name = $('name').value.trim();
  const r = await call('/challenge-code', {nik, name});
  if (r.status !== 200) {
    show('bad', (r.body.data && r.body.data.error) || ('Gagal (' + r.status + ')'));
    return;
  }
  const d = r.body.data;
  $('ssm-empty').style.display = 'none';
  $('ssm-card').style.display = 'block';
  $('ssm-name').textContent = d.name;
  $('ssm-ihs').textContent = d.ihs_number;
  $('ssm-code').textContent = d.challenge_code;
  $('ssm-expiry').textContent = d.expired_timestamp.slice(11, 19) + ' WIB';
  $('step-verify').style.display = 'block';
  $('verdict').className = 'verdict';
  $('code').focus();
});
$('verify').addEventListener('click', async () => {
  const r = await call('/verify', {challenge_code: $('code').value.trim()});
  const verdict = r.body.data && r.body.data.verdict;
  document.body.dataset.verdict = verdict || 'error';
  if (verdict === 'validated') {
    show('ok', 'Tervalidasi: identitas pasien ' + r.body.data.session.patient_name +
      ' (' + r.body.data.session.ihs_number + ') sesuai.');
    $('verify').disabled = true; $('request-code').disabled = true;
  } else if (verdict === 'expired') {
    show('bad', 'Kode verifikasi kedaluwarsa. Minta kode baru.');
  } else if (verdict === 'wrong_code') {
    show('bad', 'Kode verifikasi salah. Periksa kembali kode di SATUSEHAT Mobile.');
  } else {
    show('bad', (r.body.data && r.body.data.error) || ('Gagal (' + r.status + ')'));
  }
});
"""


def _document(title: str, body: str, status: int, extra_head: str = "") -> HTMLResponse:
    page = (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>{extra_head}</head>"
        f"<body><header><b>SATUSEHAT &middot; Validasi Identitas Pasien</b>"
        f'<span class="badge">SANDBOX</span></header>{body}</body></html>'
    )
    return HTMLResponse(page, status_code=status)


def render_unusable(why: str, status: int) -> HTMLResponse:
    """A clear page for a link that cannot be used: unknown or expired."""
    if why == "expired":
        heading, text = (
            "Tautan validasi kedaluwarsa",
            "Tautan ini sudah tidak berlaku. Buat tautan baru dari sistem fasyankes "
            "(generate-url).",
        )
    else:
        heading, text = (
            "Tautan validasi tidak dikenal",
            "Token pada tautan ini tidak pernah dibuat oleh sandbox. Periksa URL atau buat "
            "tautan baru (generate-url).",
        )
    body = (
        f'<main><section class="card" id="unusable" data-reason="{why}"><h2>{heading}</h2>'
        f"<p>{text}</p></section></main>"
    )
    return _document(heading, body, status)


def render_page(session: Any, *, challenge_seconds: int) -> HTMLResponse:
    e = html.escape
    data = {"base": f"/kyc/v1/validation-web/{session.token}", "status": session.status}
    # "</" cannot appear in a JSON string inside <script>: escape it.
    session_json = json.dumps(data).replace("</", "<\\/")
    validated = session.status == "validated"
    done = (
        f'<div class="verdict ok">Tervalidasi: {e(session.patient_name or "")} '
        f"({e(session.ihs_number or '')}).</div>"
        if validated
        else ""
    )
    body = f"""
<main data-status="{e(session.status)}">
<section class="card">
  <h3>Petugas</h3>
  <dl><dt>Nama</dt><dd id="agent-name">{e(session.agent_name)}</dd>
  <dt>NIK</dt><dd id="agent-nik">{e(session.agent_nik)}</dd></dl>
  <h3>Data pasien</h3>
  <label for="nik">NIK pasien</label>
  <input id="nik" inputmode="numeric" maxlength="16" autocomplete="off"
    value="{e(session.nik or "")}" placeholder="16 digit">
  <label for="name">Nama pasien</label>
  <input id="name" autocomplete="off" value="{e(session.patient_name or "")}">
  <button id="request-code" {"disabled" if validated else ""}>Minta Kode Verifikasi</button>
  <p class="muted">Kode verifikasi muncul di aplikasi SATUSEHAT Mobile pasien dan berlaku
    {challenge_seconds // 60} menit.</p>
  <div id="step-verify" style="display:none">
    <label for="code">Kode verifikasi dari pasien</label>
    <input id="code" inputmode="numeric" maxlength="6" autocomplete="off" placeholder="6 digit">
    <button id="verify">Validasi</button>
  </div>
  <div id="verdict" class="verdict"></div>{done}
</section>
<aside class="phone" aria-label="SATUSEHAT Mobile">
  <div class="screen">
    <div class="muted">SATUSEHAT Mobile (simulasi)</div>
    <p id="ssm-empty">Belum ada permintaan verifikasi.</p>
    <div id="ssm-card" style="display:none">
      <p>Permintaan verifikasi identitas untuk<br><b id="ssm-name"></b><br>
        <span class="muted" id="ssm-ihs"></span></p>
      <div class="code" id="ssm-code"></div>
      <p class="muted">Sebutkan kode ini kepada petugas.<br>Berlaku sampai
        <span id="ssm-expiry"></span></p>
    </div>
  </div>
</aside>
</main>
<script type="application/json" id="session">{session_json}</script>
<script>{SCRIPT}</script>"""
    return _document("Validasi Identitas Pasien", body, 200)

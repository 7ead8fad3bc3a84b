/**
 * The PIN page's stylesheet, served from PAGE_CSS_PATH so the Content-Security-Policy needs no
 * inline style. Large touch targets, visible focus, system colours in dark mode.
 */
export const PAGE_CSS = `:root {
  color-scheme: light dark;
  --text: #1b1b1b;
  --muted: #4a4a4a;
  --bg: #ffffff;
  --accent: #0b5cad;
  --error: #b00020;
  --focus: #ffbf47;
}
@media (prefers-color-scheme: dark) {
  :root { --text: #f2f2f2; --muted: #c8c8c8; --bg: #161616; --accent: #7ab8ff; --error: #ff8a80; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { font-size: 100%; -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  padding: 1rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Microsoft JhengHei", sans-serif;
  line-height: 1.5;
  color: var(--text);
  background: var(--bg);
}
header, main, footer { max-width: 32rem; margin: 0 auto; }
header { padding-bottom: 0.5rem; border-bottom: 1px solid var(--muted); }
.institution { margin: 0; font-weight: 600; color: var(--muted); }
.expires { color: var(--muted); }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.125rem; margin: 0 0 0.5rem; }
p { margin: 0 0 1rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.9375rem; }
a { color: var(--accent); }
.field { margin: 0 0 1.5rem; }
.field-error { border-left: 4px solid var(--error); padding-left: 0.75rem; }
label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.hint { color: var(--muted); margin-bottom: 0.5rem; }
.error { color: var(--error); font-weight: 600; margin-bottom: 0.5rem; }
input[type="password"], input[type="text"] {
  display: block;
  width: 100%;
  min-height: 2.75rem;
  padding: 0.5rem 0.75rem;
  font: inherit;
  color: var(--text);
  background: var(--bg);
  border: 2px solid var(--muted);
  border-radius: 4px;
}
input[aria-invalid="true"] { border-color: var(--error); }
.strength { margin-top: 0.5rem; }
.strength meter { display: block; width: 100%; height: 0.75rem; }
.strength p { margin: 0.25rem 0 0; color: var(--muted); }
.show-pin { display: flex; align-items: center; gap: 0.5rem; margin-top: 0.75rem; min-height: 2.75rem; }
.show-pin input { width: 1.5rem; height: 1.5rem; margin: 0; }
.show-pin label { margin: 0; font-weight: 400; }
button {
  min-height: 2.75rem;
  padding: 0.5rem 1.5rem;
  font: inherit;
  font-weight: 600;
  color: #ffffff;
  background: var(--accent);
  border: 2px solid transparent;
  border-radius: 4px;
  cursor: pointer;
}
@media (prefers-color-scheme: dark) { button { color: #000000; } }
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.error-summary { border: 3px solid var(--error); padding: 1rem; margin: 0 0 1.5rem; }
.error-summary ul { margin: 0; padding-left: 1.25rem; }
.error-summary a { color: var(--error); font-weight: 600; }
`;

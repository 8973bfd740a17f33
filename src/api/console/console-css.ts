/** The console's stylesheet: one column on a phone, a grid on a laptop, visible focus for keyboards. */
export const CONSOLE_CSS = `
:root { color-scheme: light; --ok: #1a7f37; --bad: #d1242f; --warn: #9a6700; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: #1f2328; background: #f6f8fa; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .75rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.2rem; margin: 0; }
nav { display: flex; flex-wrap: wrap; gap: .25rem; }
nav a { padding: .4rem .75rem; border-radius: 6px; color: inherit; text-decoration: none; border: 1px solid var(--line); }
nav a[aria-current="page"] { background: #1f2328; color: #fff; }
a:focus-visible, button:focus-visible, main:focus-visible { outline: 3px solid #1f6feb; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
#updated { margin: 0; color: #57606a; font-size: .85rem; }
body.offline #updated { color: var(--bad); }
#alerts { padding: .5rem 1rem; } #alerts ul { margin: 0; padding: 0; list-style: none; display: grid; gap: .25rem; }
.alert { padding: .4rem .6rem; border-radius: 6px; color: #fff; } .alert.critical { background: var(--bad); } .alert.warning { background: var(--warn); }
.ok { margin: 0; color: var(--ok); }
main { padding: 0 1rem 1rem; display: grid; gap: 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin-bottom: 1rem; overflow-x: auto; }
.card h2 { font-size: 1.05rem; margin: 0 0 .5rem; }
.graph { display: grid; gap: 1rem; justify-items: center; }
.witnesses { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); width: 100%; }
.node { display: grid; gap: .15rem; text-align: left; font: inherit; width: 100%; max-width: 420px; padding: .75rem; border-radius: 8px; border: 3px solid; background: #fff; cursor: pointer; }
.node.up { border-color: var(--ok); } .node.down { border-color: var(--bad); background: #ffebe9; }
.node .state { font-weight: 700; } .node.up .state { color: var(--ok); } .node.down .state { color: var(--bad); }
.node[aria-pressed="true"] { box-shadow: 0 0 0 3px #1f6feb55; }
.node .error { color: var(--bad); font-size: .85rem; word-break: break-word; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; word-break: break-word; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 .75rem; } .facts dt { color: #57606a; } .facts dd { margin: 0; }
ul[role="tree"], ul[role="group"] { padding-left: 1.1rem; } li.revoked { color: #57606a; text-decoration: line-through; }
.links a { margin-right: .5rem; }
.chart { min-height: 220px; }
footer { padding: 1rem; color: #57606a; font-size: .85rem; }
@media (max-width: 600px) { body { font-size: 14px; } header { padding: .5rem; } main { padding: 0 .5rem .5rem; } th, td { padding: .25rem; } }
`;

// The demo page: one nanomitter member in the browser. It connects to the hub named in
// config.json (served by serve.mjs) with the scoped credential the server minted for it (the
// page never sees the cluster secret), shows what the credential allows, shows `stockprice.>`
// events live, emits `chat` events and shows every `chat` event (its own and the other nodes'),
// and keeps what it received per sender in `window.demo` (the browser test reads it).
import { Emitter } from './nanomitter/browser/nanomitter.js';

const $ = (id) => document.getElementById(id);
const setStatus = (text, state) => {
  $('status').textContent = text;
  $('status').className = state;
};
const config = await (await fetch('config.json')).json();
const demo = { received: {}, emitted: 0, lagged: [], linked: false, error: null };
window.demo = demo;

const emitter = new Emitter({ service: 'browser', token: config.token });
demo.emitter = emitter;
$('node').textContent = emitter.node;
const { publish, listen, expires } = emitter.scope;
$('scope').textContent = `may emit on ${publish.join(', ')}; receives ${listen.join(', ')}; until ${new Date(expires * 1000).toLocaleTimeString()}`;

emitter.on('stockprice.>', (event) => {
  (demo.received[event.node] ??= []).push(event.seq);
  $('received').textContent = Object.values(demo.received).reduce((n, seqs) => n + seqs.length, 0);
  const row = document.createElement('tr');
  for (const cell of [event.topic, event.data.ticker, event.data.price, event.service, event.seq]) {
    row.appendChild(document.createElement('td')).textContent = String(cell);
  }
  const body = $('prices');
  body.prepend(row);
  while (body.children.length > 20) body.lastChild.remove();
});
emitter.on('chat', (event) => {
  const item = document.createElement('li');
  const text = typeof event.data?.text === 'string' ? event.data.text : JSON.stringify(event.data);
  item.textContent = `${event.service} (${event.node === emitter.node ? 'this page' : event.node}): ${text}`;
  const list = $('messages');
  list.prepend(item);
  while (list.children.length > 20) list.lastChild.remove();
});
emitter.on('$lagged', (event) => demo.lagged.push(event.data));
for (const notice of ['$peer.joined', '$peer.left', '$hub.changed']) {
  emitter.on(notice, (event) => {
    const item = document.createElement('li');
    item.textContent = `${event.topic} ${JSON.stringify(event.data)}`;
    $('notices').prepend(item);
    if (notice === '$hub.changed') {
      demo.hub = event.data.node;
      setStatus(`linked (hub: ${event.data.service})`, 'up');
    } else if (notice === '$peer.left' && event.data.node === demo.hub) {
      setStatus('the hub is gone: linking again…', 'down');
    }
  });
}

$('chat').addEventListener('submit', (submit) => {
  submit.preventDefault();
  demo.emitted = emitter.emit('chat', { text: $('text').value, at: new Date().toISOString() });
  $('emitted').textContent = demo.emitted;
});

try {
  await emitter.connect(config.candidates);
  demo.linked = true;
  if (!demo.hub) setStatus('linked', 'up');
} catch (error) {
  demo.error = String(error);
  setStatus(String(error), 'down');
}

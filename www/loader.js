/*! Triage Widget loader (README). o: data-*, h: host, b: launcher, H: widget, Q: call queue, L: listeners */
((w,d,K)=>{
let S=w.TriageWidget,s=d.currentScript,o=s.dataset,M=__TRIAGE_MANIFEST__,L={},Q=[],H,P,F,X,h,b,A,
f=/^(https?|mailto):/i.test(o.fallback)&&o.fallback,
T=({pt:"Ajuda,na fila",es:"Ayuda,en cola"}[(o.locale||d.documentElement.lang||navigator.language).slice(0,2)]||"Help,queued").split(","),
g=(t,k)=>{try{return w[t+"Storage"].getItem(K+k)}catch{}},
u=k=>new URL(M[k].file,s.src).href,
c=(k,a)=>{try{k(...a)}catch(e){console.error(e)}},
n=e=>(b.lastChild.textContent=e=+g("local","outbox")||"",b.ariaLabel=e?`${T[0]}: ${e} ${T[1]}`:T[0]),
E=(e,x)=>{/^(open|close)$/.test(e)&&(b.ariaExpanded=e=="open");n();L[e]?.map(l=>c(l,[x]));h.dispatchEvent(new CustomEvent("triage:"+e,{detail:x}))},
C=([m,a])=>c(H[m].bind(H),a),
l=()=>P||=(async(r,p=d.createElement("link"),g)=>{
r=fetch(u("wasm"),{integrity:M.wasm.integrity});r.catch(Object);
p.rel="modulepreload";p.href=u("js");p.integrity=M.js.integrity;d.head.append(p);
await new Promise((y,n)=>{p.onload=y;p.onerror=()=>n(p.href)});
await(g=await import(p.href)).default({module_or_path:r});
X||(H=g.mount(h.shadowRoot,{...o,headers:JSON.parse(o.headers||"{}"),pageLang:d.documentElement.lang,launcher:b},E));
Q.splice(0).map(C)})().catch(e=>{F=1;console.error("triage-widget: could not load the widget:",e);f||h.remove()}),
i=()=>(w.requestIdleCallback||setTimeout)(l),
I=()=>{if(X)return;
h=d.createElement("div");h.id="triage-widget";h.hidden=1;h.dataset.position=o.position||"right";
h.attachShadow({mode:"open"}).innerHTML=`<link rel=stylesheet crossorigin href="${u("css")}" integrity="${M.css.integrity}"><button class=tw-launcher aria-haspopup=dialog aria-expanded=false>${T[0]}<span class=tw-launcher-badge></span></button>`;
b=h.shadowRoot.lastChild;
d.body.append(h);n();
b.onpointerenter=b.onfocus=l;
b.onclick=()=>F?f&&w.open(f,"","noopener"):H?H[b.ariaExpanded=="true"?"close":"open"]():A.open();
g("session","open")&&A.open();Q.some(([m])=>m=="open")||g("local","outbox")>0?l():d.readyState=="complete"?i():w.addEventListener("load",i)};
if(S?.v)return;
A=w.TriageWidget={v:1,on:(e,g)=>(L[e]||=[]).push(g),off:(e,g)=>L[e]=L[e]?.filter(x=>x!=g),destroy:()=>{X=1;H?.destroy();H=0;L={};h?.remove();try{sessionStorage.removeItem(K+"open")}catch{}}};
for(let m of["open","close","identify","prefill"])A[m]=(...a)=>X||(H?C([m,a]):(Q.push([m,a]),m=="open"&&h&&!F&&l()));
S?.q?.map(([m,...a])=>A[m]?.(...a));
d.body?I():d.addEventListener("DOMContentLoaded",I)
})(window,document,"triage-widget:")

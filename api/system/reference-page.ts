/**
 * A self-contained API reference: it fetches ./openapi.json from this server and renders every operation with a
 * "try it" form (token, parameters, body). Nothing is loaded from the internet, so it works on an air-gapped
 * control plane (Swagger UI would pull its assets from a CDN).
 */
export const REFERENCE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NixFleet API reference</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f7f7f8;color:#1d1d1f}
header{background:#1d2a3a;color:#fff;padding:12px 20px;display:flex;gap:16px;align-items:center}
header input{flex:1;max-width:520px;padding:6px;font:inherit}
main{padding:16px 20px;max-width:1100px}
h2{margin:24px 0 8px;font-size:18px}
details{background:#fff;border:1px solid #ddd;border-radius:6px;margin:6px 0}
summary{cursor:pointer;padding:8px 10px;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:58px;font-weight:700;text-transform:uppercase}
.get{color:#0a6}.post{color:#06c}.put{color:#a60}.patch{color:#a60}.delete{color:#c22}
.body{padding:8px 12px;border-top:1px solid #eee}
label{display:block;margin:4px 0}label input{margin-left:6px;padding:3px;min-width:260px}
textarea{width:100%;min-height:110px;font-family:ui-monospace,monospace}
pre{background:#111;color:#eee;padding:8px;overflow:auto;max-height:360px;white-space:pre-wrap}
.access{color:#666;font-size:12px;margin-left:8px}
</style></head><body>
<header><strong>NixFleet control plane</strong><input id="token" placeholder="bearer token (nft_…) for try-it" autocomplete="off"></header>
<main id="ops">loading ./openapi.json …</main>
<script>
const el=(t,a={},...k)=>{const e=document.createElement(t);for(const[n,v]of Object.entries(a))n==="text"?e.textContent=v:e.setAttribute(n,v);for(const c of k)e.append(c);return e};
fetch("./openapi.json").then(r=>r.json()).then(doc=>{
  const root=document.getElementById("ops");root.textContent="";
  root.append(el("p",{text:doc.info.description}));
  const byTag=new Map();
  for(const[path,item]of Object.entries(doc.paths))for(const[method,op]of Object.entries(item)){
    const tag=(op.tags||["other"])[0];if(!byTag.has(tag))byTag.set(tag,[]);byTag.get(tag).push({path,method,op});}
  for(const t of doc.tags||[]){const ops=byTag.get(t.name)||[];if(!ops.length)continue;
    root.append(el("h2",{text:t.name+" — "+(t.description||"")}));
    for(const{path,method,op}of ops)root.append(operation(path,method,op));}
});
function operation(path,method,op){
  const d=el("details");
  d.append(el("summary",{},el("span",{class:"m "+method,text:method}),path+"  ",el("span",{text:op.summary}),el("span",{class:"access",text:"("+op["x-nixfleet-access"]+")"})));
  const b=el("div",{class:"body"});const inputs={};
  for(const p of op.parameters||[]){const i=el("input",{placeholder:p.description||p.name});inputs[p.in+":"+p.name]=i;b.append(el("label",{text:p.in+" "+p.name},i));}
  let body=null;if(op.requestBody){body=el("textarea",{placeholder:"JSON body"});b.append(el("div",{text:"request body ("+(op.requestBody.content["application/json"].schema.$ref||"inline").split("/").pop()+")"}),body);}
  const out=el("pre",{text:"responses: "+Object.keys(op.responses).join(", ")});
  const send=el("button",{text:"Send"});
  send.onclick=async()=>{let url=path;const q=new URLSearchParams();
    for(const[k,i]of Object.entries(inputs)){const[where,name]=k.split(":");if(!i.value)continue;if(where==="path")url=url.replace("{"+name+"}",encodeURIComponent(i.value));else q.append(name,i.value);}
    const headers={};const tok=document.getElementById("token").value.trim();if(tok)headers.authorization="Bearer "+tok;
    if(body&&body.value)headers["content-type"]="application/json";
    const res=await fetch(url+(q.size?"?"+q:""),{method:method.toUpperCase(),headers,body:body&&body.value?body.value:undefined});
    const text=await res.text();let shown=text;try{shown=JSON.stringify(JSON.parse(text),null,2)}catch{}
    out.textContent=res.status+" "+res.statusText+"\\n"+shown;};
  b.append(send,out);d.append(b);return d;}
</script></body></html>`;

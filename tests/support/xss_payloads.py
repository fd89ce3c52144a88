"""Hostile strings for rendering tests: HTML/script injection, dangerous URL schemes (plain,
entity-encoded, mixed case, with control characters), SVG/MathML tricks, CSS expressions, htmx
attributes, broken markup and Markdown link/image tricks.

Payloads that would run script set ``window.__xss = 1`` (or call ``alert``), so a browser test can
check that nothing ran by reading ``window.__xss`` and recording dialogs. Sources: the OWASP XSS
Filter Evasion Cheat Sheet and the kinds of vectors in DOMPurify's test fixtures, adapted.
"""

from __future__ import annotations

RUN = "window.__xss=1"

#: Strings placed as message text (Markdown), reasoning, titles, tool arguments, file names ...
PAYLOADS: tuple[str, ...] = (
    # script and event handlers
    f"<script>{RUN}</script>",
    f"<SCRIPT SRC=https://evil.example/xss.js></SCRIPT><script>{RUN}</script>",
    f"<img src=x onerror={RUN}>",
    f'<img src="x" onerror="{RUN}">',
    f"<IMG SRC=x OnErRoR={RUN}>",
    f"<svg onload={RUN}>",
    f"<svg><script>{RUN}</script></svg>",
    f"<body onload={RUN}>",
    f'<iframe src="javascript:{RUN}"></iframe>',
    f'<iframe srcdoc="<script>parent.{RUN}</script>"></iframe>',
    f'<object data="javascript:{RUN}"></object>',
    f'<embed src="javascript:{RUN}">',
    f"<details open ontoggle={RUN}>",
    f"<video><source onerror={RUN}></video>",
    f"<audio src=x onerror={RUN}>",
    f"<input autofocus onfocus={RUN}>",
    f"<marquee onstart={RUN}>x</marquee>",
    f"<div onmouseover={RUN}>hover</div>",
    f'<a href="#" onclick="{RUN}">click</a>',
    f'<form action="javascript:{RUN}"><button>go</button></form>',
    f'<button formaction="javascript:{RUN}">go</button>',
    f'<meta http-equiv="refresh" content="0;url=javascript:{RUN}">',
    f'<base href="javascript:{RUN}//">',
    f'<link rel=stylesheet href="javascript:{RUN}">',
    # javascript:/data:/vbscript: URLs, encoded and mixed-case
    f'<a href="javascript:{RUN}">link</a>',
    f'<a href="JaVaScRiPt:{RUN}">link</a>',
    f'<a href="java&#x09;script:{RUN}">link</a>',
    f'<a href="&#x6A;avascript:{RUN}">link</a>',
    f'<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{RUN}">link</a>',
    f'<a href=" \u2028javascript:{RUN}">link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==">data</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    # SVG and MathML tricks
    f'<svg><a xlink:href="javascript:{RUN}"><text x=20 y=20>svg link</text></a></svg>',
    f"<svg><animate onbegin={RUN} attributeName=x dur=1s>",
    f"<svg><foreignObject><img src=x onerror={RUN}></foreignObject></svg>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={RUN}></style></mglyph></table></mtext></math>",
    f'<math href="javascript:{RUN}">math</math>',
    f"<svg><style><img src=x onerror={RUN}></style></svg>",
    # style / expression
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<div style="width: expression(alert(1))">expr</div>',
    f"<style>@import 'javascript:{RUN}';</style>",
    "<style>body{background:red}</style>",
    # htmx attributes
    '<div hx-get="/accounts/logout/" hx-trigger="load">htmx</div>',
    '<button hx-post="/x" hx-confirm="">post</button>',
    '<a data-hx-get="/accounts/logout/" data-hx-trigger="load">data-hx</a>',
    f'<div hx-on:click="{RUN}">hx-on</div>',
    f'<div hx-on::load="{RUN}" hx-get="/" hx-trigger="load">hx-on-load</div>',
    '</div><div hx-get="/accounts/logout/" hx-trigger="load">escape</div>',
    '<span hx-disable></span></article><div hx-get="/" hx-trigger="load">break out</div>',
    '<div data-clamp data-keynav-href="javascript:alert(1)">data attributes</div>',
    # broken markup and comments
    f"<<script>{RUN};//<</script>",
    f"<scr<script>ipt>{RUN}</scr</script>ipt>",
    f"<!--<img src=x onerror={RUN}>-->",
    f'<img src="x` `<script>{RUN}</script>"` `>',
    f'<a href="x"><img src=x onerror={RUN}',
    f'"><script>{RUN}</script>',
    f"'><img src=x onerror={RUN}>",
    f"</textarea><script>{RUN}</script>",
    f"</title><script>{RUN}</script>",
    f'<noscript><p title="</noscript><img src=x onerror={RUN}>">',
    '<a id="csrf" name="location">clobber</a><form><input name="attributes"></form>',
    # Markdown link and image tricks, autolinks
    "[x](javascript:alert(1))",
    f"[x](javascript:{RUN})",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x](  javascript:alert(1))",
    "[x](feed:javascript:alert(1))",
    "![x](javascript:alert(1))",
    '![x](https://evil.example/pixel.png "tracker")',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "<https://example.com/ok>",
    "[ref][1]\n\n[1]: javascript:alert(1)",
    '[x](https://example.com "title" onmouseover=alert(1))',
    "**bold <img src=x onerror=alert(1)>**",
    "```html\n<script>window.__xss=1</script>\n```",
)

#: URLs for file parts, sources and links: every one dangerous unless noted in SAFE_URLS.
URLS: tuple[str, ...] = (
    "javascript:window.__xss=1",
    "JAVASCRIPT:window.__xss=1",
    " javascript:window.__xss=1",
    "java\tscript:window.__xss=1",
    "\x01javascript:window.__xss=1",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==",
    "data:text/html,<script>window.__xss=1</script>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9IndpbmRvdy5fX3hzcz0xIj48L3N2Zz4=",
    "file:///etc/passwd",
    "//evil.example/x",
)

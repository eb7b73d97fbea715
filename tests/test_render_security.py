"""What a document can reach: PDF resources only from the template folders; Markdown that
user strings cannot turn into markup (repros 07, 08, 09)."""

from __future__ import annotations

import http.server
import io
import re
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from sladsl.documents.render import md_prose, md_text

from .conftest import ROOT, run

REPRO = ROOT / "tests" / "cases" / "repro"


def _png() -> bytes:
    """A 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20"><text x="0" y="15">SECRET-SVG-MARKER</text></svg>'
)


def _pdf(path: Path) -> tuple[int, list[str], str]:
    """Images, attachment names and text of a PDF."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    images = sum(len(page.images) for page in reader.pages)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return images, sorted(reader.attachments), text


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    requests: list[str] = []
    www = tmp_path / "www"
    www.mkdir()
    (www / "prose-image.png").write_bytes(_png())

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(www), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            requests.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], requests
    httpd.shutdown()
    httpd.server_close()


def test_repro_07_prose_images_are_neither_read_nor_fetched(tmp_path: Path, server: tuple[int, list[str]]) -> None:
    port, requests = server
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "secret.png").write_bytes(_png())
    (rel / "secret.svg").write_text(SVG)
    source = (REPRO / "07-pdf-fetches-prose-images.sla").read_text()
    sla = tmp_path / "07.sla"
    sla.write_text(source.replace("/tmp/rel", str(rel)).replace("8765", str(port)))
    out = tmp_path / "07.pdf"
    result = run("render", str(sla), "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    images, attachments, text = _pdf(out)
    assert (images, attachments) == (0, [])
    assert "SECRET-SVG-MARKER" not in text
    assert requests == []
    warnings = [line for line in result.stderr.splitlines() if "leaves out" in line]
    assert len(warnings) == 3 and f"http://127.0.0.1:{port}/prose-image.png" in warnings[2]
    assert f"file://{rel}/secret.png" in warnings[0]


def test_the_same_requests_work_when_the_fetcher_is_not_in_the_way(
    tmp_path: Path, server: tuple[int, list[str]]
) -> None:
    """The test above can fail: a plain WeasyPrint render of the same HTML fetches both."""
    from weasyprint import HTML

    port, requests = server
    (tmp_path / "secret.png").write_bytes(_png())
    html = f'<p><img src="{tmp_path}/secret.png"><img src="http://127.0.0.1:{port}/prose-image.png"></p>'
    (tmp_path / "plain.pdf").write_bytes(HTML(string=html, base_url=str(tmp_path)).write_pdf())
    assert _pdf(tmp_path / "plain.pdf")[0] == 2 and requests == ["/prose-image.png"]


def test_repro_08_a_template_cannot_attach_local_files(tmp_path: Path) -> None:
    out = tmp_path / "08.pdf"
    result = run(
        "render",
        "samples/payments-api.sla",
        "--format",
        "pdf",
        "--template-dir",
        str(REPRO / "08-template-attachment"),
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    images, attachments, text = _pdf(out)
    assert (images, attachments) == (0, []) and "attach" in text
    assert "file:///etc/hostname" in result.stderr


def test_template_folder_assets_load_and_nothing_outside_it(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "logo.png").write_bytes(_png())
    (templates / "terms.txt").write_text("Terms and conditions\n")
    (templates / "passwd-link.txt").symlink_to("/etc/passwd")  # a symlink out of the folder
    outside = tmp_path / "outside.png"
    outside.write_bytes(_png())
    (templates / "contract.html.j2").write_text(
        "<html><head>"
        '<link rel="attachment" href="/etc/passwd">'
        '<link rel="attachment" href="terms.txt">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        "</head><body><h1>{{ title }}</h1>"
        '<img src="logo.png"><img src="../outside.png"><img src="file:///etc/passwd">'
        f'<img src="{outside.as_uri()}"><img src="%2e%2e/outside.png">'
        '<a rel="attachment" href="passwd-link.txt">p</a>'
        '<a rel="attachment" href="file:///etc/passwd">q</a>'
        '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC">'
        "</body></html>"
    )
    out = tmp_path / "x.pdf"
    result = run("render", "samples/video-cdn.sla", "--format", "pdf", "--template-dir", str(templates), "-o", str(out))
    assert result.exit_code == 0, result.output
    images, attachments, _ = _pdf(out)
    assert images == 2  # logo.png from the template folder and the data: URL
    assert attachments == ["terms.txt"]
    assert result.stderr.count("leaves out") == 5, result.stderr  # one line per URL: passwd, outside, css, link, %2e


def _markdown_tokens(text: str) -> list[tuple[str, str]]:
    """Every token of a CommonMark document, inline ones too: (type, href or tag)."""
    found: list[tuple[str, str]] = []
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        found.append((token.type, token.tag))
        for child in token.children or []:
            found.append((child.type, str(child.attrs.get("href", child.attrs.get("src", child.tag)))))
    return found


def test_repro_09_names_cannot_inject_markdown() -> None:
    result = run("render", str(REPRO / "09-md-newline-injection.sla"), "--format", "md")
    assert result.exit_code == 0, result.output
    tokens = _markdown_tokens(result.stdout)
    headings = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert not any(line.startswith("## Payment") for line in headings)
    h2 = [tag for kind, tag in tokens if kind == "heading_open" and tag == "h2"]
    assert len(h2) == 4  # Contents, The Agreement, the service, Signatures
    links = [href for kind, href in tokens if kind == "link_open"]
    assert links == [
        "#the-agreement",
        "#service-ordinary-payment-instructions-pay-to-our-new-account-javascript-alert-1",
        "#signatures",
    ]
    rendered = MarkdownIt("commonmark").enable("table").render(result.stdout)
    assert "<h2>Payment instructions</h2>" not in rendered and '<a href="javascript' not in rendered


def test_set_customer_cannot_inject_a_link() -> None:
    result = run("render", "samples/video-cdn.sla", "--format", "md", "--set", "customer=[x](javascript:alert(1))")
    assert result.exit_code == 0, result.output
    assert "| Customer | \\[x\\](javascript:alert(1)) |" in result.stdout
    links = [href for kind, href in _markdown_tokens(result.stdout) if kind == "link_open"]
    assert links and all(href.startswith("#") for href in links)


HOSTILE = [
    "Ordinary\n\n## Payment instructions",
    "[our new account](javascript:alert(1))",
    "![pixel](http://127.0.0.1/p.png)",
    "<https://evil.example/>",
    "*bold* and _em_ and `code` and ~~gone~~",
    "# heading",
    "1. first",
    "2) second",
    "- item",
    "+ item",
    "> quote",
    "===",
    "    indented code",
    "a | b",
    "back\\slash \\[not\\] a link",
    "&amp; &lt;entity&gt; &#106;",
    "snake_case_name and __init__",
    "line\r\nbreak\u2028separator",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_user_string_renders_as_exactly_its_text(value: str) -> None:
    """md_text(s), rendered by a CommonMark viewer, is one paragraph whose text is s (line
    breaks as spaces, leading spaces dropped): no block, link, image, emphasis or HTML."""
    import html

    rendered = MarkdownIt("commonmark").render(f"Before {md_text(value)}")
    expected = re.sub(r"[\r\n\u2028]+", " ", value)  # a run of line breaks: one space
    assert rendered == f"<p>Before {html.escape(expected.lstrip(), quote=False)}</p>\n"
    alone = MarkdownIt("commonmark").render(md_text(value))
    assert alone == f"<p>{html.escape(expected.strip(), quote=False)}</p>\n"


def test_prose_keeps_its_markdown_but_not_unsafe_links() -> None:
    body = "Read *the terms* at [our site](https://example.com).\n\n[click](javascript:alert(1)) [x]( JavaScript:y)\n\n[ref]: vbscript:z\n"
    rendered = MarkdownIt("commonmark").render(md_prose(body))
    assert "<em>the terms</em>" in rendered and '<a href="https://example.com">our site</a>' in rendered
    assert "<a href" not in rendered.split("</p>", 1)[1]
    assert "javascript:alert(1)" in rendered  # still there, as text


def test_prose_links_with_unsafe_schemes_are_text_in_the_markdown_document(tmp_path: Path) -> None:
    sla = tmp_path / "p.sla"
    sla.write_text(
        'sla "P" {\n    text """\n    Pay [here](javascript:alert(1)) or [there](https://example.com).\n    """\n}\n'
    )
    result = run("render", str(sla), "--format", "md")
    assert result.exit_code == 0, result.output
    links = [href for kind, href in _markdown_tokens(result.stdout) if kind == "link_open"]
    assert "https://example.com" in links and not any("javascript" in href for href in links)

"""What a person does on the deployed site, through nginx: each function is one step of
prod-check and returns the lines it prints."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import re
import time
import urllib.parse
import uuid
from typing import Any

import psycopg
import requests
from openpyxl import load_workbook
from PIL import ExifTags, Image

from tests.prodcheck.client import ORIGIN, Browser, links, open_thread_socket, receive_json
from tests.prodcheck.report import CheckFailed, Skip, expect
from tests.prodcheck.stack import Stack


def public_pages(stack: Stack, browser: Browser) -> list[str]:
    lines = []
    for path in ("/", "/projects/", "/streets/", "/tenders/"):
        answer = browser.get(path)
        expect(answer.status_code == 200, f"GET {path} through nginx answered {answer.status_code}")
        lines.append(f"GET {path} -> 200 ({len(answer.content)} bytes, gzip: {answer.headers.get('Content-Encoding')})")
    listing = browser.get("/projects/").text
    project = next(iter(links(listing, r"/projects/[^\"?]+/")), None)
    expect(project is not None, "no project link on /projects/")
    page = browser.get(urllib.parse.quote(project, safe="/%"))
    expect(page.status_code == 200, f"GET {project} answered {page.status_code}")
    expect('role="progressbar"' in page.text, f"{project} has no progress bar")
    expect(re.search(r'data-thread="\d+"', page.text) is not None, f"{project} has no live thread")
    lines.append(f"GET {project} -> 200, progress bar and live thread present")
    css = re.search(r'href="(/static/public/site\.[0-9a-f]{12}\.css)"', page.text)
    expect(css is not None, "the page links no hashed /static/public/site.<hash>.css (ManifestStaticFilesStorage)")
    static = browser.get(css.group(1))
    expect(
        static.status_code == 200 and "immutable" in static.headers.get("Cache-Control", ""),
        f"GET {css.group(1)}: {static.status_code}, Cache-Control {static.headers.get('Cache-Control')!r}",
    )
    lines.append(f"GET {css.group(1)} -> 200 from nginx, {static.headers['Cache-Control']}")
    lines += _one_copy_per_encoding(browser)
    plain = Browser(f"http://127.0.0.1:{stack.http_port}", stack.cert)
    redirect = plain.get("/projects/")
    expect(
        redirect.status_code == 301 and redirect.headers.get("Location", "").startswith("https://"),
        f"http:// /projects/ answered {redirect.status_code} {redirect.headers.get('Location')}",
    )
    health = plain.get("/healthz")
    expect(health.status_code == 200, f"http:// /healthz answered {health.status_code}")
    lines.append("http:// redirects to https:// (301); /healthz answers over http")
    return lines


def _one_copy_per_encoding(browser: Browser) -> list[str]:
    """A big stored page (renovation/public/compression.py) comes compressed once to a client that
    accepts gzip and plain to one that does not, though nginx's microcache ignores Vary: its key
    holds the encoding (deploy/nginx)."""
    path = "/projects/oc4ids.json"
    lines = []
    for asked in ("gzip, deflate, br", "identity", "gzip, deflate, br", "identity"):
        answer = browser.get(path, headers={"Accept-Encoding": asked}, stream=True)
        raw = answer.raw.read(decode_content=False)
        encoding = answer.headers.get("Content-Encoding")
        expect(encoding == ("gzip" if "gzip" in asked else None), f"{path} ({asked}): Content-Encoding {encoding!r}")
        try:
            document = json.loads(gzip.decompress(raw) if encoding == "gzip" else raw)
        except (OSError, ValueError) as error:
            raise CheckFailed(f"{path} ({asked}): not the JSON document ({error})") from error
        expect(bool(document.get("projects")), f"{path} ({asked}): no projects")
        lines.append(f"GET {path} ({asked}) -> {len(raw)} bytes, {encoding or 'plain'}, {answer.headers.get('ETag')}")
    return lines


def readiness(stack: Stack, browser: Browser) -> list[str]:
    answer = browser.get("/readyz")
    expect(answer.status_code == 200, f"/readyz answered {answer.status_code}: {answer.text[:200]}")
    body = answer.json()
    expect(
        body.get("checks") == {"database": "ok", "channel_layer": "ok"},
        f"/readyz checks: {body.get('checks')}",
    )
    return [f"/readyz through nginx -> 200 {body}"]


def sign_in(stack: Stack, browser: Browser) -> list[str]:
    forged = Browser(browser.base, stack.cert)
    refused = forged.post("/accounts/login/", {"username": "chen_ayi", "password": stack.passwords["chen_ayi"]})
    expect(refused.status_code == 403, f"a sign-in without the CSRF token answered {refused.status_code}, not 403")
    answer = browser.sign_in("chen_ayi", stack.passwords["chen_ayi"])
    home = browser.get("/supervise/")
    expect(home.status_code == 200, f"/supervise/ after sign-in answered {home.status_code}")
    return [
        "POST /accounts/login/ without CSRF token -> 403",
        f"supervisor chen_ayi signed in -> 302 {answer.headers.get('Location')}, session cookie Secure",
    ]


def sideways_photo_with_gps() -> bytes:
    """800×600 as stored, EXIF orientation 6 (turn 90° clockwise to view), GPS; a red block in the
    stored top-left corner, which is the top-right corner once upright."""
    image = Image.new("RGB", (800, 600), (40, 90, 200))
    image.paste((230, 20, 20), (0, 0, 200, 150))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (27.0, 46.0, 50.0)}
    )
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def photo_upload(stack: Stack, browser: Browser) -> list[str]:
    form = browser.get("/supervise/report/")
    expect(form.status_code == 200, f"GET /supervise/report/ answered {form.status_code}")
    project = re.search(r'<option value="(\d+)"', form.text)
    expect(project is not None, "the report form offers the supervisor no project")
    data = {
        "csrfmiddlewaretoken": browser.csrf_token(),
        "project": project.group(1),
        "category": "quality",
        "severity": "general",
        "description": "prod-check: 外墙脚手架旁渗水",
        "location": "3幢2单元",
    }
    files = {"photos": ("IMG_0001.jpg", sideways_photo_with_gps(), "image/jpeg")}
    answer = browser.post("/supervise/report/", data, files=files)
    expect(answer.status_code == 302, f"POST /supervise/report/ answered {answer.status_code}")
    issue_path = answer.headers["Location"]
    issue = browser.get(issue_path)
    expect(issue.status_code == 200, f"GET {issue_path} answered {issue.status_code}")
    # A photo links to its permission-checked address (/files/site-issue-photo/<id>/) until the issue
    # is public, then to its public copy.
    photo = re.search(r'<a href="(/files/site-issue-photo/\d+/|[^"]+\.jpe?g[^"]*)"', issue.text)
    expect(photo is not None, f"{issue_path} shows no photo link")
    url = photo.group(1).replace("&amp;", "&")
    served = fetch_following(browser, url)
    expect(served.status_code == 200, f"GET {url} answered {served.status_code}")
    image = Image.open(io.BytesIO(served.content))
    width, height = image.size
    expect(height > width, f"the photo came back {width}×{height}: still sideways")
    expect(max(image.convert("RGB").getpixel((width - 10, 10))) > 150 and image.convert("RGB").getpixel(
        (width - 10, 10))[0] > 180, "the red corner is not top-right: turned the wrong way")  # fmt: skip
    exif = image.getexif()
    expect(len(exif) == 0 and "exif" not in image.info, f"the served photo still carries EXIF: {dict(exif)}")
    lines = [
        f"issue {issue_path} created; photo served from {url.split('?')[0]}",
        f"upright {width}×{height} (sent 800×600 sideways, orientation 6), no EXIF, no GPS",
    ]
    if url.startswith("/media/"):
        expect(served.headers.get("X-Content-Type-Options") == "nosniff", "media served without nosniff")
        lines.append("served by nginx from MEDIA_ROOT with nosniff and the sandbox CSP")
    return lines


def fetch_following(browser: Browser, url: str) -> requests.Response:
    """A file link as a browser follows it: through nginx, or (object store) to a signed URL
    elsewhere, which must be fetched with its own Host header for the signature to hold."""
    for _hop in range(5):
        if url.startswith(ORIGIN):
            url = url[len(ORIGIN) :] or "/"
        if not url.startswith("/"):
            outside = requests.Session()
            outside.trust_env = False
            return outside.get(url, timeout=30)
        answer = browser.get(url)
        if answer.status_code not in (301, 302, 303, 307, 308):
            return answer
        url = answer.headers["Location"]
    raise CheckFailed(f"too many redirects fetching {url}")


def _thread_id(browser: Browser) -> tuple[int, str]:
    listing = browser.get("/projects/").text
    for project in links(listing, r"/projects/[^\"?]+/"):
        page = browser.get(urllib.parse.quote(project, safe="/%"))
        found = re.search(r'data-thread="(\d+)"', page.text)
        if found:
            return int(found.group(1)), project
    raise CheckFailed("no project page with a thread")


async def _expect_comment(socket: Any, client_id: str, timeout: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        message = await receive_json(socket, max(0.1, deadline - time.monotonic()))
        if message.get("type") == "comment" and message.get("client_id") == client_id:
            return message


def cross_node_comment(stack: Stack, browser: Browser) -> list[str]:
    thread_id, project = _thread_id(browser)
    node_a, node_b = stack.nodes
    # Straight to node A's gunicorn, as nginx would forward it (same session, same headers). The
    # cookies are Secure, so a cookie jar would not send them over http: they go as a header.
    direct_a = Browser(f"http://127.0.0.1:{node_a.web_port}", stack.cert, via_node=True)
    direct_a.session.headers["Cookie"] = browser.cookie_header

    async def run() -> list[str]:
        on_b = await open_thread_socket(port=node_b.ws_port, thread_id=thread_id, cert=None, tls=False)
        via_nginx = await open_thread_socket(port=stack.https_port, thread_id=thread_id, cert=stack.cert)
        try:
            client_id = str(uuid.uuid4())
            text = f"prod-check: posted on node A {client_id[:8]}"
            answer = await asyncio.to_thread(
                direct_a.post,
                f"/discussion/threads/{thread_id}/post/",
                {"csrfmiddlewaretoken": browser.csrf_token(), "text": text, "client_id": client_id},
                referer=project,
            )
            expect(answer.status_code == 302, f"POST to node A answered {answer.status_code}")
            got_b = await _expect_comment(on_b, client_id)
            expect(got_b["text"] == text, f"node B's socket got {got_b['text']!r}")
            await _expect_comment(via_nginx, client_id)
            return [
                f"thread {thread_id}: comment {got_b['id']} posted through node A's gunicorn "
                f"(127.0.0.1:{node_a.web_port}) arrived on a socket held on node B's uvicorn "
                f"(127.0.0.1:{node_b.ws_port}) and on a wss:// socket through nginx"
            ]
        finally:
            await on_b.close()
            await via_nginx.close()

    return asyncio.run(run())


def plan_workbook(template: bytes, code: str) -> bytes:
    workbook = load_workbook(io.BytesIO(template))
    year = time.localtime().tm_year
    workbook["项目"].append(
        [code, "安阳街道", "prod-check社区", "prod-check小区", 1995, 120, year, 100000, 0, 200000, 0, 0, None, None]
    )
    workbook["改造内容"].append([code, "建筑", "外立面整治", 800, "m²", 300000])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def excel_import(stack: Stack) -> list[str]:
    bureau = Browser(f"https://127.0.0.1:{stack.https_port}", stack.cert)
    bureau.sign_in("bureau", stack.passwords["bureau"], path="/admin/login/")
    template = bureau.get("/admin/plan-import/template.xlsx")
    expect(template.status_code == 200, f"plan template download answered {template.status_code}")
    code = f"PC{int(time.time()) % 100000:05d}"
    token = bureau.csrf_from("/admin/plan-import/")
    answer = bureau.post(
        "/admin/plan-import/",
        {"csrfmiddlewaretoken": token},
        files={"workbook": ("plan.xlsx", plan_workbook(template.content, code), "application/octet-stream")},
    )
    expect(answer.status_code == 302, f"POST /admin/plan-import/ answered {answer.status_code}")
    detail = answer.headers["Location"]
    status: dict[str, Any] = {}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status = bureau.get(f"{detail}status/").json()
        if status.get("finished"):
            break
        time.sleep(1)
    expect(status.get("status") == "done", f"the import ended as {status}")
    lines = [f"plan workbook with project {code} imported: {status['label']} ({status['rows_total']} rows)"]
    ran_on = task_run_by_worker(stack, "plan")
    lines.append(ran_on)
    return lines


def task_run_by_worker(stack: Stack, task_word: str) -> str:
    """The import's task row in django-tasks' database backend, finished by a worker."""
    with psycopg.connect(stack.database_url()) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_name LIKE %s", ("%dbtaskresult",)
            )
        ]
        if not tables:
            raise Skip(
                "the import finished, but not on the worker: there is no django-tasks database backend table "
                "(the task-queue branch moves the import onto it; then this step checks its task row)"
            )
        row = connection.execute(
            f'SELECT status, task_path, worker_ids FROM "{tables[0]}" WHERE task_path LIKE %s '
            "ORDER BY enqueued_at DESC LIMIT 1",
            (f"%{task_word}%",),
        ).fetchone()
    expect(row is not None, f"no task whose path mentions {task_word!r} in {tables[0]}")
    status, path, workers = row
    expect(status == "SUCCESSFUL" and workers, f"task {path}: status {status}, worker ids {workers}")
    return f"task {path}: {status}, run by worker {workers[-1]}"

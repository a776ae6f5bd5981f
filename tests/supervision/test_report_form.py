"""The supervisors' report form as a page: what is wrong is listed at the top, each line a link to
its field, and the policy lets the form preview the chosen photos (blob: images, our script only)."""

import re

from django.urls import reverse


def test_it_lists_what_is_wrong_at_the_top_with_links_to_the_fields(login, cast):
    response = login(cast.supervisor).post(reverse("supervision:report"), {"project": cast.project.pk})
    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index("data-error-summary") : html.index("data-site-issue-report")]
    assert "请修改以下内容" in summary
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary)
    assert {target for target, _text in links} == {"id_category_0", "id_severity_0", "id_description", "id_location"}
    assert all(f'id="{target}"' in html for target, _text in links)
    assert "问题描述：" in summary  # the field's name, then what is wrong with it


def test_it_shows_no_summary_on_a_fresh_form(login, cast):
    response = login(cast.supervisor).get(reverse("supervision:report"))
    assert response.status_code == 200
    assert "data-error-summary" not in response.content.decode()


def test_its_policy_lets_the_photo_previews_show_and_runs_no_inline_script(login, cast):
    response = login(cast.supervisor).get(reverse("supervision:report"))
    policy = response.headers["Content-Security-Policy"]
    img_src = re.search(r"img-src ([^;]+)", policy).group(1).split()
    assert "blob:" in img_src
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'unsafe-inline'" not in script_src
    assert "data-photo-preview" in response.content.decode()

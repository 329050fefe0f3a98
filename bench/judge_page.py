"""Judge pages under load: 20 judges at once, each opening their queue and entries.

Run from the repo root: ``python -m bench.judge_page``. Each judge has 150 of
1,000 entries. Requests go through the WSGI app in 20 threads (Flask test
clients, one signed-in session each), so the numbers are the app's and the
database's, without a network. Prints p50/p95 BENCH lines.
"""
from __future__ import annotations

import re
import statistics
import threading
import time

from bench._setup import make_app, populate

PASSWORD = "Bench-Password-2026"


def main(n_judges: int = 20, n_entries: int = 1000, k: int = 3, requests_per_judge: int = 30) -> None:
    app = make_app()
    with app.app_context():
        from sqlalchemy import select

        from accounts.models import User
        from accounts.services import hash_password
        from core.extensions import db
        from judging import services
        from judging.models import RoundJudge

        round_ = populate(n_entries, n_judges, 10, k, password_hash=hash_password(PASSWORD))
        services.assign_judges(round_, actor=None)
        services.open_round(round_, actor=None)
        db.session.commit()
        round_id = round_.id
        usernames = db.session.scalars(select(User.username).join(RoundJudge, RoundJudge.user_id == User.id)
                                       .where(RoundJudge.round_id == round_id)).all()

    latencies: dict[str, list[float]] = {"queue": [], "entry": []}
    lock = threading.Lock()
    barrier = threading.Barrier(len(usernames))

    def judge_session(username: str) -> None:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"login": username, "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        page = client.get(f"/judging/my/{round_id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post(f"/judging/my/{round_id}/pledge", data={"accept": "y", "csrf_token": token})
        codes = re.findall(rf'/judging/my/{round_id}/e/([A-Z0-9]+)"', client.get(f"/judging/my/{round_id}")
                           .get_data(as_text=True))
        barrier.wait()
        mine = {"queue": [], "entry": []}
        for i in range(requests_per_judge):
            kind, path = (("queue", f"/judging/my/{round_id}") if i % 3 == 0
                          else ("entry", f"/judging/my/{round_id}/e/{codes[i % len(codes)]}"))
            start = time.perf_counter()
            response = client.get(path)
            mine[kind].append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
        with lock:
            for kind, values in mine.items():
                latencies[kind].extend(values)

    threads = [threading.Thread(target=judge_session, args=(u,)) for u in usernames]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for kind, values in latencies.items():
        values.sort()
        p50 = statistics.median(values) * 1000
        p95 = values[int(0.95 * (len(values) - 1))] * 1000
        print(f"BENCH judge_page_{kind}_p50_{n_judges}_concurrent {p50:.1f} ms")
        print(f"BENCH judge_page_{kind}_p95_{n_judges}_concurrent {p95:.1f} ms")


if __name__ == "__main__":
    main()

"""The demo's committee member serves the demo round, so `make run` shows the committee's work."""

from sqlalchemy import select


def test_demo_committee_member_serves_the_demo_round(app, client, db, login):
    from accounts.models import User

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    member = db.session.scalar(select(User).where(User.username == "committee"))
    login(client, member, password="Zhengping-2026")
    page = client.get("/judging/committee").get_data(as_text=True)
    assert "初评" in page
    assert "您尚未被指定为任何评审轮次的评委会成员" not in client.get("/").get_data(as_text=True)

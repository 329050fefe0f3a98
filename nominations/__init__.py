"""Exemplar nominations (评选): programmes, unit quotas, 推荐表 dossiers, the review
chain (eligibility check, expert review, committee ballot, 联审), and the hand-over
of approved honours to publishing for 公示, certificates and the honour list."""

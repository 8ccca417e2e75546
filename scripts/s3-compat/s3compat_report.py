"""pytest plugin of scripts/s3-compat.sh: the outcome of every test that ran, one line each.

A test passes only if its setup, its body and its teardown all pass: the suite's setup and teardown empty
the test buckets through the S3 API (ListObjectVersions, DeleteObjects), so a gateway that cannot do that
fails tests whose bodies would pass. The file named by $S3COMPAT_RESULTS_FILE gets, for each test,
"<outcome>\t<test id>\t<phase>\t<one-line message>": outcome passed, failed (the body failed), error (setup
or teardown failed) or skipped; phase the one that decided it (setup, call, teardown; - if passed).
"""
import os

RANK = {'passed': 0, 'skipped': 1, 'error': 2, 'failed': 3}
_results = {}


def _message(report):
    crash = getattr(report.longrepr, 'reprcrash', None)
    if crash is not None:
        text = crash.message
    elif isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        text = report.longrepr[2]
    else:
        text = str(report.longrepr or '')
    return ' '.join(text.split())[:400]


def pytest_runtest_logreport(report):
    if report.passed:
        outcome = 'passed'
    elif report.skipped:
        outcome = 'skipped'
    elif report.when == 'call':
        outcome = 'failed'
    else:
        outcome = 'error'
    current = _results.get(report.nodeid)
    if current is None or RANK[outcome] > RANK[current[0]]:
        decided = (outcome, '-', '') if outcome == 'passed' else (outcome, report.when, _message(report))
        _results[report.nodeid] = decided


def pytest_sessionfinish(session):
    path = os.environ.get('S3COMPAT_RESULTS_FILE')
    if not path:
        return
    with open(path, 'w') as out:
        for nodeid, (outcome, phase, message) in sorted(_results.items()):
            out.write(f'{outcome}\t{nodeid}\t{phase}\t{message}\n')

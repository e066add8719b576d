"""Weekly report API: reports (JSON, .xlsx), breaks with filters, assign / note / escalate / close / reopen, what-if."""
from flask import current_app, send_file
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint, page_args
from matchmaker.infra.labels import report_vocabulary
from matchmaker.schemas.report import (AssignSchema, BreakQueryArgsSchema, BreakSchema, CloseSchema, NoteSchema,
                                       ReportListItemSchema, ReportSchema, RunReportSchema, WhatIfResultSchema,
                                       WhatIfSchema)
from matchmaker.infra import viewcache
from matchmaker.infra.security import current_actor
from matchmaker.services import reports

blp = json_blueprint(Blueprint(
    "reports", __name__,
    description="Weekly chain-break report for the dispatch meeting (周调度) and the break workflow (交办、升级、销号)."))
URL_PREFIX = ""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/reports")
class Reports(MethodView):
    @blp.response(200, ReportListItemSchema(many=True))
    @errors(blp, 401, 403)
    def get(self):
        """List the stored weekly reports, newest first (open breaks counted for your region)"""
        return reports.list_reports(current_actor())

    @blp.arguments(RunReportSchema, required=False)
    @blp.response(201, ReportSchema)
    @errors(blp, 401, 403, 422)
    def post(self, data):
        """Compute and store a week's report now (admins; re-running a week replaces it)"""
        return reports.run_report(current_actor(), (data or {}).get("week"), (data or {}).get("as_of"))


@blp.route("/reports/<week>")
class ReportByWeek(MethodView):
    @blp.response(200, ReportSchema)
    @errors(blp, 401, 403, 404, 422)
    @blp.paginate(page_size=100, max_page_size=1000)
    def get(self, week, pagination_parameters):
        """Get a week's report (`latest` for the newest) as the report file, for your region; its open
        breaks a page at a time (`page`, `page_size`; X-Pagination counts them), every other part whole"""
        actor = current_actor()
        page, page_size = page_args(pagination_parameters)
        body, pagination_parameters.item_count = _kept_report_page(actor, week, page, page_size)
        return current_app.response_class(body, mimetype=current_app.json.mimetype)


_REPORT = ReportSchema()


def _kept_report_page(actor, week: str, page: int, page_size: int) -> tuple[bytes, int]:
    """(the JSON of one page of a week's report for the actor, the total of its open breaks), kept
    per week, page and reader's region while the stored reports and their workflow are unchanged
    (:func:`~matchmaker.services.reports.report_version` is in the key: a new report, a re-run or
    an assign, note, escalate, close or reopen makes a new one, in every process). The JSON is
    what the response decorator would have made of the dumped report (``jsonify``), byte for byte."""
    reports.require_reader(actor)
    key = ("report_api", reports.report_version(), reports.reader_scope(actor), week, page, page_size)

    def compute():
        data, total = reports.report_page(actor, None if week == "latest" else week, page, page_size)
        return current_app.json.response(_REPORT.dump(data)).get_data(), total

    return viewcache.cached(key, compute)


@blp.route("/reports/<week>/xlsx")
class ReportXlsx(MethodView):
    @blp.response(200, content_type=XLSX)
    @errors(blp, 401, 403, 404, 422)
    def get(self, week):
        """Download a week's report as .xlsx (one sheet per part), for your region"""
        data, name = reports.report_xlsx(current_actor(), None if week == "latest" else week, report_vocabulary())
        return send_file(data, as_attachment=True, download_name=name, mimetype=XLSX)


@blp.route("/reports/<week>/breaks")
class ReportBreaks(MethodView):
    @blp.arguments(BreakQueryArgsSchema, location="query")
    @blp.response(200, BreakSchema(many=True))
    @errors(blp, 401, 403, 404, 422)
    def get(self, args, week):
        """List a week's breaks in your region by severity (open ones unless a status is asked for)"""
        return reports.list_breaks(current_actor(), None if week == "latest" else week, args)


@blp.route("/breaks/<int:break_id>")
class BreakById(MethodView):
    @blp.response(200, BreakSchema)
    @errors(blp, 401, 403, 404)
    def get(self, break_id):
        """Get a break with its history"""
        return reports.get_break(current_actor(), break_id)


@blp.route("/breaks/<int:break_id>/assign")
class BreakAssign(MethodView):
    @blp.arguments(AssignSchema)
    @blp.response(200, BreakSchema)
    @errors(blp, 401, 403, 404, 409, 422)
    def post(self, data, break_id):
        """Assign a break to a staff member (owner region's staff and above)"""
        reports.assign_break(current_actor(), break_id, data["assignee_id"], data.get("note"))
        return reports.get_break(current_actor(), break_id)


@blp.route("/breaks/<int:break_id>/escalate")
class BreakEscalate(MethodView):
    @blp.arguments(NoteSchema, required=False)
    @blp.response(200, BreakSchema)
    @errors(blp, 401, 403, 404, 409, 422)
    def post(self, data, break_id):
        """Escalate a break one level by hand with the reason (note, required): its assignee is cleared, its status is escalated"""
        reports.escalate_break(current_actor(), break_id, (data or {}).get("note"))
        return reports.get_break(current_actor(), break_id)


@blp.route("/breaks/<int:break_id>/close")
class BreakClose(MethodView):
    @blp.arguments(CloseSchema)
    @blp.response(200, BreakSchema)
    @errors(blp, 401, 403, 404, 409, 422)
    def post(self, data, break_id):
        """Close a break with a note (销号); it comes back reopened if its condition still holds"""
        reports.close_break(current_actor(), break_id, data["note"])
        return reports.get_break(current_actor(), break_id)


@blp.route("/breaks/<int:break_id>/note")
class BreakNote(MethodView):
    @blp.arguments(CloseSchema)
    @blp.response(200, BreakSchema)
    @errors(blp, 401, 403, 404, 409, 422)
    def post(self, data, break_id):
        """Add a note to an open break (a week with a note does not count toward its automatic escalation)"""
        reports.note_break(current_actor(), break_id, data["note"])
        return reports.get_break(current_actor(), break_id)


@blp.route("/breaks/<int:break_id>/reopen")
class BreakReopen(MethodView):
    @blp.arguments(NoteSchema, required=False)
    @blp.response(200, BreakSchema)
    @errors(blp, 401, 403, 404, 409, 422)
    def post(self, data, break_id):
        """Reopen a break closed in the latest report"""
        reports.reopen_break(current_actor(), break_id, (data or {}).get("note"))
        return reports.get_break(current_actor(), break_id)


@blp.route("/what-if")
class WhatIf(MethodView):
    @blp.arguments(WhatIfSchema)
    @blp.response(200, WhatIfResultSchema)
    @errors(blp, 401, 403, 422)
    def post(self, data):
        """The breaks that would appear if these firms stopped or these counties turned high-risk"""
        return reports.what_if(current_actor(), data["stopped_firms"], data["high_risk_counties"], data["as_of"])

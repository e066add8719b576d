"""Risk zones (article 2) and resumption monitoring (article 13) API, for task-force staff."""
from flask import send_file
from flask.views import MethodView

from matchmaker.api.common import Blueprint, errors, json_blueprint
from matchmaker.infra.labels import monitoring_words
from matchmaker.infra.security import current_actor
from matchmaker.schemas.monitoring import (MonitoringArgsSchema, MonitoringSchema, RiskHistorySchema, RiskSetSchema,
                                           RiskStopsSchema, WeekArgsSchema)
from matchmaker.services import monitoring, risk_zones

blp = json_blueprint(Blueprint("monitoring", __name__,
                               description="Risk zones of counties (article 2) and resumption monitoring (article 13)."))
URL_PREFIX = ""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/regions/<code>/risk")
class RegionRisk(MethodView):
    @blp.response(200, RiskHistorySchema)
    @errors(blp, 401, 403, 404, 422)
    def get(self, code):
        """A county's risk level today and its history of changes (staff of the county or above)"""
        return risk_zones.risk_history(current_actor(), code)

    @blp.arguments(RiskSetSchema)
    @blp.response(201, RiskHistorySchema)
    @errors(blp, 400, 401, 403, 404, 415, 422)
    def post(self, data, code):
        """Set a county's risk from a date (province staff; city staff for their counties)"""
        actor = current_actor()
        risk_zones.set_risk(actor, code, data["risk"], data.get("effective_from"), data.get("reason"))
        return risk_zones.risk_history(actor, code)


@blp.route("/regions/<code>/risk-stops")
class RegionRiskStops(MethodView):
    @blp.arguments(WeekArgsSchema, location="query")
    @blp.response(200, RiskStopsSchema)
    @errors(blp, 401, 403, 404, 422)
    def get(self, args, code):
        """What a county's high risk stops in a stored week (latest by default): its suppliers down
        because of risk_zone and the buyers each fails"""
        return risk_zones.risk_stops(current_actor(), code, args.get("week"))


@blp.route("/monitoring")
class Monitoring(MethodView):
    @blp.arguments(MonitoringArgsSchema, location="query")
    @blp.response(200, MonitoringSchema)
    @errors(blp, 401, 403, 404, 422)
    def get(self, args):
        """Resumption of a stored week by GB/T division, by chain and by county, unweighted and
        headcount-weighted, with the previous week's figures (latest week by default)"""
        return monitoring.monitoring_view(current_actor(), monitoring.validate_week(args.get("week")),
                                          args.get("region"))


@blp.route("/monitoring/xlsx")
class MonitoringXlsx(MethodView):
    @blp.arguments(MonitoringArgsSchema, location="query")
    @blp.response(200, content_type=XLSX)
    @errors(blp, 401, 403, 404, 422)
    def get(self, args):
        """Download the monitoring figures as .xlsx (one sheet per grouping)"""
        data, name = monitoring.monitoring_xlsx(current_actor(), monitoring.validate_week(args.get("week")),
                                                args.get("region"), monitoring_words())
        return send_file(data, as_attachment=True, download_name=name, mimetype=XLSX)

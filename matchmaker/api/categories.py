"""Categories API: what is traded, with each category's inputs and substitutes (read-only, public)."""
from flask.views import MethodView

from matchmaker.api.common import Blueprint, PUBLIC, errors, page_args
from matchmaker.schemas.reference import CategoryQueryArgsSchema, CategorySchema
from matchmaker.services import categories

blp = Blueprint("categories", __name__, description="Categories (public reference data)")
URL_PREFIX = "/categories"


@blp.route("")
class Categories(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.arguments(CategoryQueryArgsSchema, location="query")
    @blp.response(200, CategorySchema(many=True))
    @errors(blp, 404)
    @blp.paginate(page_size=100, max_page_size=1000)
    def get(self, args, pagination_parameters):
        """List categories (filter by text, or the inputs of one category)"""
        items, pagination_parameters.item_count = categories.list_category_rows(args, *page_args(
            pagination_parameters))
        return items


@blp.route("/<string:code>")
class CategoryByCode(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.response(200, CategorySchema)
    @errors(blp, 404)
    def get(self, code):
        """Get a category by its code"""
        return categories.get_category(code)

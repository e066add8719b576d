"""Products API: find a product in the catalogue by name, alias, pinyin or code (read-only, public;
the product picker's type-ahead)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from matchmaker.api.common import PUBLIC, errors, page_args
from matchmaker.schemas.product import ProductQueryArgsSchema, ProductSchema
from matchmaker.services import products

blp = Blueprint("products", __name__, description="Products (public reference data: the catalogue)")
URL_PREFIX = "/products"


@blp.route("")
class Products(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.arguments(ProductQueryArgsSchema, location="query")
    @blp.response(200, ProductSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=500)
    def get(self, args, pagination_parameters):
        """Search the product catalogue (`q`: name, alias, pinyin or code), best match first"""
        items, pagination_parameters.item_count = products.search_products(args, *page_args(pagination_parameters))
        return items


@blp.route("/<path:code>")
class ProductByCode(MethodView):
    @blp.doc(security=PUBLIC)
    @blp.response(200, ProductSchema)
    @errors(blp, 404)
    def get(self, code):
        """Get a product by its code"""
        return products.get_product(code)

"""The baseline bench/orders.py measures placing orders against: a minimal
authenticated DRF endpoint that inserts one row, served by the same
gunicorn. ``socialshop/urls.py`` mounts it (``/api/v1/bench/``) only when
``BENCH_ENDPOINTS`` is on (the bench sets it on the server it starts;
production forces it off), and it is left out of the schema. The table is
made by the bench in its scratch database. It lives with the benchmarks,
not in the project's packages: nothing in production imports it."""

from django.db import connection
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

BASELINE_TABLE = "bench_baseline"


class BaselineView(APIView):
    @extend_schema(exclude=True)
    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {BASELINE_TABLE} (user_id, created_at) VALUES (%s, now()) RETURNING id",  # noqa: S608
                [request.user.pk],
            )
            (row_id,) = cursor.fetchone()
        return Response({"id": row_id}, status=201)


urlpatterns = [path("baseline/", BaselineView.as_view(), name="bench-baseline")]

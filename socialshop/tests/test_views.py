import pytest


@pytest.mark.django_db
def test_an_api_path_no_view_matches_answers_the_api_error_body(client):
    response = client.get("/api/v1/shops/mine/picks/not-a-number/")

    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found" and response.json()["fields"] == {}


@pytest.mark.django_db
def test_a_page_no_view_matches_is_still_a_page(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")

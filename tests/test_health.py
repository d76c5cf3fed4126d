from django.test import Client


def test_health_endpoint_answers_when_the_database_does(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}

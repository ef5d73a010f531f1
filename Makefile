# A menu for newcomers. Everything goes through dev.py, which needs only Python 3.11.
.PHONY: run setup test check lint demo worker beat units

run:      ## set up the embedded SQLite site with demo data and serve it on :8000
	python3 dev.py run
setup:    ## the same, without serving
	python3 dev.py setup
test:     ## run the test suite (SQLite; set DATABASE_URL/REDIS_URL for PostgreSQL/Redis)
	python3 dev.py test
check:    ## ruff, system checks, missing migrations
	python3 dev.py check
lint: check
units:    ## (re)load the administrative units and successions
	.venv/bin/python manage.py load_units
demo:     ## (re)load the demo data
	.venv/bin/python manage.py load_demo_data
worker:   ## a Celery worker (needs REDIS_URL)
	.venv/bin/celery -A lms worker -l info
beat:     ## the Celery beat scheduler (needs REDIS_URL)
	.venv/bin/celery -A lms beat -l info

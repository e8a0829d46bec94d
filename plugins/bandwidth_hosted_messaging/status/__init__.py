"""
The operators' view of the import and remove runs: a page inside the Airflow UI ("Hosted messaging"), backed by a
small JSON API on the API server (``/bandwidth-status``, see :mod:`.api`).

It reads only what the DAGs recorded (each run's ``report.json`` under ``[bandwidth] report_base``, the report XCom
when that file is missing, and the metadata database's runs); it never calls Bandwidth. :mod:`.store`, :mod:`.runs`,
:mod:`.views` and :mod:`.history` do the reading, with caches so that a 10,000-number run answers in milliseconds
after its first read. While a run is going, :mod:`.progress` reads where it stands from its tasks (:mod:`.tasks`:
task instances, XComs, the callbacks recorded on the order assets); :mod:`.not_ordered` says why a finished run
ordered nothing; :mod:`.reruns` starts "Re-run failed numbers"; :mod:`.links` builds the URLs between the page and
the Airflow UI (:func:`.links.run_page_url`: a run's page).
"""

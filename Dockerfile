# Airflow 3.3.2 with our pinned requirements and our package: the Bandwidth provider
# (airflow-provider-bandwidth-hosted-messaging, import package bandwidth_hosted_messaging: hook, operators,
# sensor, triggers, callback receiver; its entry point registers the `bandwidth` connection type) and the
# Bandwidth sandbox (`python -m bandwidth_sandbox`). Built by docker-compose.yaml (`build: .`).
#
# The -python3.11 variant of the 3.3.2 image: constraints.txt is our lock, resolved on Python 3.11.
FROM apache/airflow:3.3.2-python3.11

# Requirements first, so that editing our code does not re-install them. As the image's `airflow` user,
# as the image documents; -c pins every distribution to our lock (e.g. celery 5.6.3: 5.7.0 breaks Airflow 3.3.2).
COPY --chown=airflow:0 requirements.txt constraints.txt /opt/airflow/project/
RUN pip install --no-cache-dir -r /opt/airflow/project/requirements.txt -c /opt/airflow/project/constraints.txt

# Our package, without dependencies (they are all above), non-editable.
COPY --chown=airflow:0 pyproject.toml /opt/airflow/project/
COPY --chown=airflow:0 plugins/bandwidth_hosted_messaging /opt/airflow/project/plugins/bandwidth_hosted_messaging
RUN pip install --no-cache-dir --no-deps /opt/airflow/project
# The Bandwidth sandbox is not part of the provider distribution: the compose file's sandbox profile runs it
# from here (PYTHONPATH).
COPY --chown=airflow:0 include/bandwidth_sandbox /opt/airflow/project/include/bandwidth_sandbox

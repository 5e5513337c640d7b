# PostgreSQL from Debian's package, on the local Debian base (docker/make-bases.sh), for
# the compose stack where no image registry is reachable. It behaves as the official
# image does as far as docker-compose.yml uses it: POSTGRES_USER, POSTGRES_DB and
# POSTGRES_PASSWORD make the cluster on the first start, data in /var/lib/postgresql/data,
# pg_isready for the healthcheck, port 5432 on every interface.
ARG BASE_IMAGE=privsim-local/python:3.11
FROM ${BASE_IMAGE}
# no service starts during the install, and no cluster is made: the entrypoint makes it
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
 && mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/no-main.conf \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/* \
 && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data \
 && install -d -o postgres -g postgres -m 2775 /run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
VOLUME ["/var/lib/postgresql/data"]
EXPOSE 5432
# a fast shutdown (the official image's signal too)
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
CMD ["postgres"]

"""Queries that every page of a kind makes, turned into SQL by the ORM once, not per request.

Building a query (the lookups, the joins, the columns, the SQL text) costs Django more work
than reading its rows back on a page like the report's, where the rows are few. A prepared
query is written as an ordinary queryset of some ids, compiled the first time it runs on a
database for that many ids, and afterwards only executed and turned into objects the way the
queryset itself would (`from_db`, the `select_related` rows, the database's value
converters). The SQL is the ORM's own, so it follows the models and each database's dialect.
Only the SQL and how to read its rows are kept, never rows.
"""

import functools

from django.db import connections
from django.db.models.query import ModelIterable, get_related_populators


class PreparedQuery:
    """`build(ids)` gives a queryset whose only parameters are those ids, in order."""

    def __init__(self, build):
        self.build = build
        # By database alias, not connection: every thread's connection to one database
        # speaks the same SQL, and keeping each thread's connection here would keep them all.
        self._compiled = functools.lru_cache(maxsize=64)(self._compile)

    def rows(self, ids, using="default"):
        """Model instances (or the queryset's tuples, for `values_list`) for these ids."""
        if not ids:
            return []
        compiled = self._compiled(using, len(ids))
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, list(ids))
            fetched = cursor.fetchall()
        return compiled.objects(fetched, connection)

    def _compile(self, using, count):
        # Stand-in ids, distinct and impossible, so that the parameters can be checked to be
        # exactly the ids in their places and nothing else.
        stand_ins = [-(number + 1) for number in range(count)]
        queryset = self.build(stand_ins).using(using)
        if queryset._fetch_mode.track_peers:
            # Its objects would share one list of peers across requests.
            raise ValueError("A prepared query reads rows with the default fetch mode only.")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if list(params) != stand_ins:
            raise ValueError(
                f"A prepared query may take only the ids as parameters; this one takes {params}."
            )
        return _Compiled(queryset, compiler, sql)


class _Compiled:
    def __init__(self, queryset, compiler, sql):
        self.sql = sql
        select = compiler.select
        self.converters = list(compiler.get_converters([column[0] for column in select]).items())
        self.model_rows = queryset._iterable_class is ModelIterable
        if self.model_rows:
            info = compiler.klass_info
            self.model = info["model"]
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            self.span = slice(start, end)
            self.field_names = [column[0].target.attname for column in select[start:end]]
            self.related = get_related_populators(info, select, queryset.db, queryset._fetch_mode)
            self.db = queryset.db

    def objects(self, fetched, connection):
        if self.converters:
            fetched = [self._converted(row, connection) for row in fetched]
        if not self.model_rows:
            return [tuple(row) for row in fetched]
        made = []
        for row in fetched:
            instance = self.model.from_db(self.db, self.field_names, row[self.span])
            for populator in self.related:
                populator.populate(row, instance)
            made.append(instance)
        return made

    def _converted(self, row, connection):
        # As the ORM's compiler applies them (SQLCompiler.apply_converters).
        row = list(row)
        for position, (converters, expression) in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return row

package pginbox

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrations holds the schema's SQL, one file per version
// (migrations/0001_init.sql, ...), written for DefaultSchema: Migrate
// applies them, and teams that run migrations with their own tool may
// apply them in order instead (each records its version in
// schema_version, which New checks).
//
//go:embed migrations/*.sql
var Migrations embed.FS

// SchemaVersion is the schema version this package needs: the number of
// files in Migrations.
const SchemaVersion = 2

// ErrNotMigrated is returned by New when the schema is missing or older
// than SchemaVersion: run Migrate (or apply Migrations) first.
var ErrNotMigrated = errors.New("pginbox: schema not migrated")

func migrationFiles() []string {
	names, err := fs.Glob(Migrations, "migrations/*.sql")
	if err != nil {
		panic(err) // a constant pattern
	}
	sort.Strings(names)
	return names
}

// Migrate creates or upgrades the schema (WithSchema, default
// DefaultSchema) to SchemaVersion: it applies the missing files of
// Migrations in one transaction, under an advisory lock, so replicas
// migrating at once take turns and a migrated schema is left as it is.
// Its first migration needs the CREATE privilege on the database (it
// creates the schema), later ones ownership of the tables; New does not.
func Migrate(ctx context.Context, pool *pgxpool.Pool, opts ...Option) error {
	cfg, err := configure(pool, opts)
	if err != nil {
		return err
	}
	t := tablesFor(cfg.schema)
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pginbox: migrating: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "veriff-pginbox:"+cfg.schema); err != nil {
		return fmt.Errorf("pginbox: migrating: %w", err)
	}
	have, err := schemaVersion(ctx, tx, t)
	if err != nil {
		return fmt.Errorf("pginbox: migrating: %w", err)
	}
	files := migrationFiles()
	if have > len(files) {
		return fmt.Errorf("pginbox: schema version %d is newer than this package knows (%d)", have, len(files))
	}
	for v := have + 1; v <= len(files); v++ {
		sql, err := Migrations.ReadFile(files[v-1])
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, forSchema(string(sql), t.schema)); err != nil {
			return fmt.Errorf("pginbox: migration %s: %w", files[v-1], err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pginbox: migrating: %w", err)
	}
	return nil
}

// defaultSchemaWord is DefaultSchema as a whole word of SQL.
var defaultSchemaWord = regexp.MustCompile(`\b` + DefaultSchema + `\b`)

// forSchema rewrites a migration written for DefaultSchema for the quoted
// schema name.
func forSchema(sql, quoted string) string {
	return defaultSchemaWord.ReplaceAllLiteralString(sql, quoted)
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// schemaVersion is the schema's version, 0 when it has no version table.
func schemaVersion(ctx context.Context, q querier, t tables) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, t.version).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var have int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM `+t.version).Scan(&have)
	return have, err
}

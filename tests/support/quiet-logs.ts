/**
 * Import first in tests that provoke 500s on purpose: the Powertools logger reads its level when the
 * functions' modules load, so it must be set before them.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

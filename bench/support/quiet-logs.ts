/**
 * Import first in a bench part: the Powertools logger reads its level when the functions' modules load
 * (a level set later is reset on each invocation), and only errors belong beside the bench's table.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';

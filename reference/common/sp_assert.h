/* sp_assert.h: the project's one assertion macro.
 *
 * SP_ASSERT guards states that must be impossible (a programmer error, never
 * bad input: bad input gets an error reply). On failure it prints
 * "file:line: assertion failed: expr" to stderr and aborts, so a crash in a
 * test or a run says where and why, not just "Aborted". It stays on in
 * release builds: the broker's invariants are cheap and a silent corruption
 * is worse than a crash. */
#ifndef SP_ASSERT_H
#define SP_ASSERT_H

#if defined(__GNUC__)
#define sp_likely(x) __builtin_expect(!!(x), 1)
#define sp_unlikely(x) __builtin_expect(!!(x), 0)
#else
#define sp_likely(x) (x)
#define sp_unlikely(x) (x)
#endif

_Noreturn void sp_assert_fail(const char *expr, const char *file, int line);

#define SP_ASSERT(expr) \
  (sp_likely(expr) ? (void)0 : sp_assert_fail(#expr, __FILE__, __LINE__))

/* SP_PANIC: an unreachable branch, with the reason as the "expression". */
#define SP_PANIC(why) sp_assert_fail(why, __FILE__, __LINE__)

#endif

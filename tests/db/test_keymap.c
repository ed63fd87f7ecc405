/*
 * test_keymap.c - the db module's key -> index map (src/db/keymap.c) against
 * a plain array: random puts, replaces and deletes over colliding keys keep
 * every lookup equal to the array's, through growth and backward-shift
 * deletion, and clear empties the map but keeps it usable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "keymap.h"

enum { KEYS = 4096 };

static uint64_t next(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 33;
}

static void assert_agrees(const struct keymap *m, const int32_t *ref)
{
    uint32_t n = 0;

    for (int64_t k = 0; k < KEYS; k++) {
        assert_int_equal(keymap_get(m, k), ref[k]);
        n += ref[k] >= 0;
    }
    assert_int_equal(m->n, n);
}

static void test_random_operations_match_an_array(void **state)
{
    static int32_t ref[KEYS];
    struct keymap m = {0};
    uint64_t x = 42;

    (void)state;
    for (int k = 0; k < KEYS; k++)
        ref[k] = -1;
    assert_int_equal(keymap_get(&m, 7), -1);
    keymap_del(&m, 7); /* an empty map: nothing to do */
    for (int round = 0; round < 20; round++) {
        /* Keys a multiple of 64 apart share home slots in small tables. */
        for (int i = 0; i < 3000; i++) {
            int64_t k = (int64_t)(next(&x) % 64) * 64 % KEYS + (int64_t)(next(&x) % 3);
            int32_t v = (int32_t)(next(&x) % 100000);

            if (next(&x) % 3 == 0) {
                keymap_del(&m, k);
                ref[k] = -1;
            } else {
                assert_true(keymap_put(&m, k, v));
                ref[k] = v;
            }
        }
        assert_agrees(&m, ref);
    }
    keymap_clear(&m);
    for (int k = 0; k < KEYS; k++)
        ref[k] = -1;
    assert_agrees(&m, ref);
    assert_true(keymap_put(&m, 5, 9));
    assert_int_equal(keymap_get(&m, 5), 9);
    keymap_free(&m);
    assert_int_equal(keymap_get(&m, 5), -1);
}

static void test_dense_keys_grow_and_delete_in_any_order(void **state)
{
    struct keymap m = {0};

    (void)state;
    for (int32_t k = 0; k < KEYS; k++)
        assert_true(keymap_put(&m, k, k * 2));
    assert_true(m.cap >= 2 * (uint32_t)KEYS);
    for (int32_t k = KEYS - 1; k >= 0; k -= 2)
        keymap_del(&m, k);
    for (int32_t k = 0; k < KEYS; k++)
        assert_int_equal(keymap_get(&m, k), k % 2 ? -1 : k * 2);
    keymap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_operations_match_an_array),
        cmocka_unit_test(test_dense_keys_grow_and_delete_in_any_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

-- A DELETE policy that checks nothing, on a table whose other policies are
-- right (and without the restrictive guard that would save it). A keyed
-- `DELETE … WHERE id = <foreign>` reads the key column, so the SELECT
-- policies apply and it deletes nothing; `DELETE FROM public.tags;` as a
-- user reads no column and deletes every tenant's rows.
DROP POLICY tenant_guard ON public.tags;
CREATE POLICY "anyone may delete tags" ON public.tags FOR DELETE TO authenticated USING (true);

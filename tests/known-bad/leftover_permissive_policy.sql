-- Catalog #8 and #9: a leftover permissive policy without TO, OR-ed with the
-- tenant policy: every role, anon included, reads every contact.
DROP POLICY tenant_guard ON public.contacts;
CREATE POLICY "Legacy: contacts are readable" ON public.contacts FOR SELECT USING (org_id IS NOT NULL);

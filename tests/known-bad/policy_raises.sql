-- A policy that fails at run time: an error is a finding, never a pass.
CREATE POLICY "broken" ON public.cases AS RESTRICTIVE FOR SELECT USING ((SELECT 1 / 0) = 1);

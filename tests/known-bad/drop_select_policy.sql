-- Catalog #3: the read policy is missing; users no longer see their own tasks.
DROP POLICY "Users can view their tasks" ON public.tasks;

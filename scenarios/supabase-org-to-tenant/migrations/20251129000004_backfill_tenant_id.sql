-- Seed 000 step 2 / seed 001 step 4: backfill from the owner's profile.

UPDATE public.clients x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.orders x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.properties x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.contacts x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.activities x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.deals x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.cases x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.tags x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.tasks x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.goals x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.agent_cards x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

UPDATE public.chat_messages x
SET tenant_id = p.tenant_id
FROM public.profiles p
WHERE x.org_id = p.id
  AND x.tenant_id IS NULL;

-- Seed 004 "Issue 2": the global credentials of .env.local move into tenant_integrations
-- for PPCU (values here are stand-ins; the harness must never print them).
INSERT INTO public.tenant_integrations (tenant_id, provider, api_key, api_secret, webhook_secret)
SELECT t.id, p.provider, p.api_key, p.api_secret, p.webhook_secret
FROM public.tenants t,
     (VALUES ('manychat', 'mc-live-7f3a9c0e5b2d41', NULL, 'whsec-mc-88d1c2'),
             ('stripe', 'sk_live_51PpcuStandInKey', 'rk_live_standin_secret', 'whsec_stripe_standin')) AS p(provider, api_key, api_secret, webhook_secret)
WHERE t.slug = 'ppcu'
ON CONFLICT (tenant_id, provider) DO NOTHING;

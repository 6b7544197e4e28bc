-- The NGSI-LD broker's own entities (devices and assets are served from the
-- sensor platform's tables). Names inside bodies are expanded IRIs.
CREATE TABLE ngsi_tenants (
    name TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- One row per entity; the body is the whole entity as JSON.
CREATE TABLE ngsi_entities (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- Entity types, for queries by type.
CREATE TABLE ngsi_entity_types (
    tenant TEXT NOT NULL,
    type TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (tenant, type, id)
);
CREATE INDEX ngsi_entity_types_id ON ngsi_entity_types (tenant, id);

-- The temporal evolution of entities: which entities have one, with their types.
CREATE TABLE ngsi_temporal_entities (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    types TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- Every attribute instance ever given; dataset_id '' is the default instance.
CREATE TABLE ngsi_instances (
    tenant TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    attr TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    observed_at BIGINT,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    deleted_at BIGINT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant, instance_id)
);
CREATE INDEX ngsi_instances_entity ON ngsi_instances (tenant, entity_id, attr, created_at);

CREATE TABLE ngsi_subscriptions (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- JSON-LD contexts served by the broker itself (POST /jsonldContexts).
CREATE TABLE ngsi_contexts (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

# The resource types that hold data: deleting or replacing one loses what it held, and
# re-creating it does not bring that back.
#
# Used by the rules `agent-destroy-stateful` (two approvals) and `stateful-destroy`
# (a warning for everyone). Each name is an exact resource type: a Terraform type of the
# hashicorp/aws, hashicorp/azurerm or hashicorp/google provider (google-beta uses the same
# names), or a CloudFormation type. No globs: `aws_db_*` would also take in subnet groups
# and parameter groups, which hold no data.
#
# What is in: databases and data warehouses, caches that persist, search domains, object
# storage, block volumes and disks and their snapshots, file systems and their backups,
# encryption keys (destroying a key destroys every piece of data encrypted with it), DNS
# zones (not records), log stores, queues and streams that hold messages, container
# registries, backup vaults and secrets, plus the rest of cfn-lint's list of stateful
# types (cfnlint/data/AdditionalSpecs/StatefulResources.json, all 29 of which are here).
#
# Names were checked against the providers' schemas: aws 5.100.0 and 6.25.0, azurerm
# 3.116.0 and 4.55.0, google and google-beta 6.50.0, and the CloudFormation resource
# specifications shipped with cfn-lint 1.58.0. A type that only one of those versions has
# says so.

resource_group "stateful" {
  description = "Resources that hold data which re-creating them does not bring back."
  types = [
    # ---------------------------------------------------------------- AWS, Terraform
    # Relational and document databases. Cluster instances hold no data of their own (the
    # cluster volume does), but CloudFormation's AWS::RDS::DBInstance, DocDB::DBInstance
    # and Neptune::DBInstance cannot tell them apart and cfn-lint lists them, so the
    # Terraform types are listed too: the same change gets the same treatment.
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_docdb_cluster",
    "aws_docdb_cluster_instance",
    "aws_docdbelastic_cluster",
    "aws_neptune_cluster",
    "aws_neptune_cluster_instance",
    "aws_neptunegraph_graph",
    "aws_dsql_cluster",
    "aws_lightsail_database",
    # NoSQL, time series and ledger databases
    "aws_dynamodb_table",
    "aws_dynamodb_global_table",
    "aws_dynamodb_table_replica",
    "aws_keyspaces_keyspace",
    "aws_keyspaces_table",
    "aws_timestreamwrite_database",
    "aws_timestreamwrite_table",
    "aws_timestreaminfluxdb_db_instance",
    "aws_timestreaminfluxdb_db_cluster", # aws 6.x
    "aws_qldb_ledger",
    "aws_simpledb_domain", # aws 5.x; removed in 6.0
    # Data warehouses and big-data clusters (EMR: data in HDFS; on cfn-lint's list)
    "aws_redshift_cluster",
    "aws_redshiftserverless_namespace",
    "aws_emr_cluster",
    # Caches with persistence (snapshots, durable logs)
    "aws_elasticache_cluster",
    "aws_elasticache_replication_group",
    "aws_elasticache_serverless_cache",
    "aws_memorydb_cluster",
    "aws_memorydb_multi_region_cluster",
    # Search and analytics domains
    "aws_opensearch_domain",
    "aws_elasticsearch_domain",
    "aws_opensearchserverless_collection",
    "aws_cloudsearch_domain",
    # Database snapshots
    "aws_db_snapshot",
    "aws_db_snapshot_copy",
    "aws_db_cluster_snapshot",
    "aws_rds_cluster_snapshot_copy",
    "aws_docdb_cluster_snapshot",
    "aws_neptune_cluster_snapshot",
    "aws_redshift_cluster_snapshot",
    "aws_redshiftserverless_snapshot",
    "aws_memorydb_snapshot",
    # Object storage
    "aws_s3_bucket",
    "aws_s3_directory_bucket",
    "aws_s3control_bucket", # S3 on Outposts
    "aws_s3tables_table_bucket",
    "aws_s3tables_table",
    "aws_s3vectors_vector_bucket", # aws 6.x
    "aws_s3vectors_index",         # aws 6.x
    "aws_glacier_vault",
    "aws_lightsail_bucket",
    # Block storage and snapshots
    "aws_ebs_volume",
    "aws_ebs_snapshot",
    "aws_ebs_snapshot_copy",
    "aws_ebs_snapshot_import",
    "aws_lightsail_disk",
    "aws_storagegateway_cached_iscsi_volume",
    # File systems and their backups
    "aws_efs_file_system",
    "aws_fsx_lustre_file_system",
    "aws_fsx_ontap_file_system",
    "aws_fsx_ontap_volume",
    "aws_fsx_openzfs_file_system",
    "aws_fsx_openzfs_volume",
    "aws_fsx_openzfs_snapshot",
    "aws_fsx_windows_file_system",
    "aws_fsx_backup",
    # Encryption keys
    "aws_kms_key",
    "aws_kms_external_key",
    "aws_kms_replica_key",
    "aws_kms_replica_external_key",
    # DNS zones
    "aws_route53_zone",
    # Logs, audit events and metrics
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_log_stream",
    "aws_cloudtrail_event_data_store",
    "aws_cloudwatch_event_archive",
    "aws_prometheus_workspace",
    # Queues, streams and brokers
    "aws_sqs_queue",
    "aws_kinesis_stream",
    "aws_kinesis_video_stream",
    "aws_msk_cluster",
    "aws_msk_serverless_cluster",
    "aws_mq_broker",
    # Container registries and backup vaults
    "aws_ecr_repository",
    "aws_ecrpublic_repository",
    "aws_backup_vault",
    "aws_backup_logically_air_gapped_vault",
    # Secrets
    "aws_secretsmanager_secret",
    # Identities, source code, accounts and whole stacks. A Cognito user pool or a managed
    # directory holds users and their credentials; an Organizations account, once closed,
    # holds everything in it; deleting a CloudFormation stack deletes every resource in it.
    "aws_cognito_user_pool",
    "aws_directory_service_directory",
    "aws_codecommit_repository",
    "aws_organizations_account",
    "aws_cloudformation_stack",

    # ---------------------------------------------------------------- AWS, CloudFormation
    # Relational and document databases (DBInstance: standalone or a cluster member)
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::DocDB::DBCluster",
    "AWS::DocDB::DBInstance",
    "AWS::DocDBElastic::Cluster",
    "AWS::Neptune::DBCluster",
    "AWS::Neptune::DBInstance",
    "AWS::NeptuneGraph::Graph",
    "AWS::DSQL::Cluster",
    "AWS::Lightsail::Database",
    # NoSQL, time series and ledger databases
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::GlobalTable",
    "AWS::Cassandra::Keyspace",
    "AWS::Cassandra::Table",
    "AWS::Timestream::Database",
    "AWS::Timestream::Table",
    "AWS::Timestream::InfluxDBInstance",
    "AWS::Timestream::InfluxDBCluster",
    "AWS::QLDB::Ledger",
    "AWS::SDB::Domain",
    # Data warehouses and big-data clusters
    "AWS::Redshift::Cluster",
    "AWS::RedshiftServerless::Namespace",
    "AWS::EMR::Cluster",
    # Caches with persistence
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::MemoryDB::Cluster",
    "AWS::MemoryDB::MultiRegionCluster",
    # Search and analytics domains
    "AWS::OpenSearchService::Domain",
    "AWS::Elasticsearch::Domain",
    "AWS::OpenSearchServerless::Collection",
    # Snapshots (CloudFormation has no resource type for RDS or EBS snapshots)
    "AWS::RedshiftServerless::Snapshot",
    "AWS::FSx::Snapshot",
    # Object storage
    "AWS::S3::Bucket",
    "AWS::S3Express::DirectoryBucket",
    "AWS::S3Outposts::Bucket",
    "AWS::S3Tables::TableBucket",
    "AWS::S3Tables::Table",
    "AWS::S3Vectors::VectorBucket",
    "AWS::S3Vectors::Index",
    "AWS::Lightsail::Bucket",
    # Block storage
    "AWS::EC2::Volume",
    "AWS::Lightsail::Disk",
    # File systems
    "AWS::EFS::FileSystem",
    "AWS::FSx::FileSystem",
    "AWS::FSx::Volume",
    # Encryption keys
    "AWS::KMS::Key",
    "AWS::KMS::ReplicaKey",
    # DNS zones
    "AWS::Route53::HostedZone",
    # Logs, audit events and metrics
    "AWS::Logs::LogGroup",
    "AWS::Logs::LogStream",
    "AWS::CloudTrail::EventDataStore",
    "AWS::Events::Archive",
    "AWS::APS::Workspace",
    # Queues, streams and brokers
    "AWS::SQS::Queue",
    "AWS::Kinesis::Stream",
    "AWS::KinesisVideo::Stream",
    "AWS::MSK::Cluster",
    "AWS::MSK::ServerlessCluster",
    "AWS::AmazonMQ::Broker",
    # Container registries and backup vaults
    "AWS::ECR::Repository",
    "AWS::ECR::PublicRepository",
    "AWS::Backup::BackupVault",
    "AWS::Backup::LogicallyAirGappedBackupVault",
    # Secrets
    "AWS::SecretsManager::Secret",
    # Identities, source code, accounts and nested stacks (deleting a nested stack deletes
    # every resource in it, and the parent change set does not list them)
    "AWS::Cognito::UserPool",
    "AWS::DirectoryService::MicrosoftAD",
    "AWS::DirectoryService::SimpleAD",
    "AWS::CodeCommit::Repository",
    "AWS::Organizations::Account",
    "AWS::CloudFormation::Stack",

    # ---------------------------------------------------------------- Azure (azurerm)
    # SQL Server. Deleting a server deletes every database on it. The azurerm_sql_* types
    # are azurerm 3.x; 4.0 removed them in favor of azurerm_mssql_*.
    "azurerm_mssql_server",
    "azurerm_mssql_database",
    "azurerm_mssql_managed_instance",
    "azurerm_mssql_managed_database",
    "azurerm_sql_server",
    "azurerm_sql_database",
    "azurerm_sql_managed_instance",
    "azurerm_sql_managed_database",
    # PostgreSQL, MySQL, MariaDB (azurerm_mysql_server, azurerm_mysql_database and the
    # MariaDB types are azurerm 3.x; azurerm_postgresql_flexible_server_backup is 4.x)
    "azurerm_postgresql_server",
    "azurerm_postgresql_database",
    "azurerm_postgresql_flexible_server",
    "azurerm_postgresql_flexible_server_database",
    "azurerm_postgresql_flexible_server_backup",
    "azurerm_mysql_flexible_server",
    "azurerm_mysql_flexible_database",
    "azurerm_mysql_server",
    "azurerm_mysql_database",
    "azurerm_mariadb_server",
    "azurerm_mariadb_database",
    "azurerm_oracle_autonomous_database", # azurerm 4.x
    # Cosmos DB and other NoSQL (azurerm_mongo_cluster is 4.x)
    "azurerm_cosmosdb_account",
    "azurerm_cosmosdb_sql_database",
    "azurerm_cosmosdb_sql_container",
    "azurerm_cosmosdb_mongo_database",
    "azurerm_cosmosdb_mongo_collection",
    "azurerm_cosmosdb_cassandra_keyspace",
    "azurerm_cosmosdb_cassandra_table",
    "azurerm_cosmosdb_cassandra_cluster",
    "azurerm_cosmosdb_gremlin_database",
    "azurerm_cosmosdb_gremlin_graph",
    "azurerm_cosmosdb_table",
    "azurerm_cosmosdb_postgresql_cluster",
    "azurerm_mongo_cluster",
    "azurerm_confidential_ledger",
    # Caches with persistence (azurerm_managed_redis is 4.x)
    "azurerm_redis_cache",
    "azurerm_redis_enterprise_cluster",
    "azurerm_redis_enterprise_database",
    "azurerm_managed_redis",
    # Data warehouses and analytics (deleting a Databricks workspace deletes its managed
    # resource group, DBFS root storage included)
    "azurerm_synapse_workspace",
    "azurerm_synapse_sql_pool",
    "azurerm_kusto_cluster",
    "azurerm_kusto_database",
    "azurerm_databricks_workspace",
    # Search
    "azurerm_search_service",
    # Health data stores
    "azurerm_healthcare_service",
    "azurerm_healthcare_fhir_service",
    "azurerm_healthcare_dicom_service",
    # Storage accounts and what they contain
    "azurerm_storage_account",
    "azurerm_storage_container",
    "azurerm_storage_data_lake_gen2_filesystem",
    "azurerm_storage_share",
    "azurerm_storage_table",
    # Disks, snapshots and SANs
    "azurerm_managed_disk",
    "azurerm_snapshot",
    "azurerm_elastic_san",
    "azurerm_elastic_san_volume_group",
    "azurerm_elastic_san_volume",
    # File systems
    "azurerm_netapp_volume",
    "azurerm_netapp_snapshot",
    "azurerm_netapp_backup_vault", # azurerm 4.x
    "azurerm_managed_lustre_file_system",
    # Key Vault and managed HSM: keys, secrets, certificates (with their private keys)
    "azurerm_key_vault",
    "azurerm_key_vault_key",
    "azurerm_key_vault_secret",
    "azurerm_key_vault_certificate",
    "azurerm_key_vault_managed_hardware_security_module",
    "azurerm_key_vault_managed_hardware_security_module_key",
    "azurerm_app_configuration",
    # DNS zones
    "azurerm_dns_zone",
    "azurerm_private_dns_zone",
    # Logs, telemetry and metrics
    "azurerm_log_analytics_workspace",
    "azurerm_application_insights",
    "azurerm_monitor_workspace",
    # Queues and streams
    "azurerm_eventhub_namespace",
    "azurerm_eventhub",
    "azurerm_servicebus_namespace",
    "azurerm_servicebus_queue",
    "azurerm_servicebus_topic",
    "azurerm_servicebus_subscription",
    "azurerm_storage_queue",
    # Container registries and backup vaults
    "azurerm_container_registry",
    "azurerm_recovery_services_vault",
    "azurerm_data_protection_backup_vault",

    # ---------------------------------------------------------------- Google Cloud (google)
    # Relational databases (AlloyDB instances hold no data of their own; the cluster does)
    "google_sql_database_instance",
    "google_sql_database",
    "google_alloydb_cluster",
    "google_spanner_instance",
    "google_spanner_database",
    "google_oracle_database_autonomous_database",
    # NoSQL (google_firebase_database_instance is google-beta only)
    "google_bigtable_instance",
    "google_bigtable_table",
    "google_firestore_database",
    "google_firebase_database_instance",
    # Data warehouse
    "google_bigquery_dataset",
    "google_bigquery_table",
    # Caches with persistence
    "google_redis_instance",
    "google_redis_cluster",
    "google_memorystore_instance",
    # Health data stores
    "google_healthcare_dataset",
    "google_healthcare_fhir_store",
    "google_healthcare_dicom_store",
    "google_healthcare_hl7_v2_store",
    # Object storage
    "google_storage_bucket",
    # Disks, snapshots and backups
    "google_compute_disk",
    "google_compute_region_disk",
    "google_compute_snapshot",
    "google_compute_instant_snapshot",
    "google_alloydb_backup",
    "google_backup_dr_backup_vault",
    # File systems, their snapshots and backups
    "google_filestore_instance",
    "google_filestore_snapshot",
    "google_filestore_backup",
    "google_netapp_volume",
    "google_netapp_volume_snapshot",
    "google_netapp_backup",
    "google_netapp_backup_vault",
    "google_parallelstore_instance",
    # Encryption keys. Destroying a crypto key schedules every version for destruction;
    # key rings cannot be deleted in Google Cloud (destroy only forgets them), but a
    # replaced key ring strands the keys in it.
    "google_kms_key_ring",
    "google_kms_crypto_key",
    "google_kms_crypto_key_version",
    # DNS zones
    "google_dns_managed_zone",
    # Log buckets
    "google_logging_project_bucket_config",
    "google_logging_folder_bucket_config",
    "google_logging_organization_bucket_config",
    "google_logging_billing_account_bucket_config",
    # Messaging
    "google_pubsub_topic",
    "google_pubsub_subscription",
    "google_pubsub_lite_topic",
    "google_pubsub_lite_subscription",
    "google_managed_kafka_cluster",
    "google_managed_kafka_topic",
    # Container registries
    "google_artifact_registry_repository",
    "google_container_registry",
    # Secrets
    "google_secret_manager_secret",
    "google_secret_manager_secret_version",
    "google_secret_manager_regional_secret",
    "google_secret_manager_regional_secret_version",
    # Source code
    "google_sourcerepo_repository",
    "google_secure_source_manager_repository",
  ]
}

// The orders service: a table that holds the orders, a bucket for their
// invoices and a topic for their events. The table and the bucket hold data:
// deleting or replacing them is what plangate holds for review.
import * as cdk from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface OrdersStackProps extends cdk.StackProps {
  /** The environment's name: it is part of the bucket's name. */
  readonly environment: string;
}

export class OrdersStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    super(scope, id, props);

    new dynamodb.TableV2(this, 'OrdersTable', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // DESTROY so that removing it from the code deletes it: the case
      // plangate is for. RETAIN would make CloudFormation keep the table,
      // which plangate reports as "forget" (the resource-forgotten rule).
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    new s3.Bucket(this, 'InvoicesBucket', {
      // A name derived from the environment: renaming the environment
      // replaces the bucket.
      bucketName: `orders-invoices-${props.environment}-${cdk.Aws.ACCOUNT_ID}`,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
    });

    new sns.Topic(this, 'OrderEvents');
  }
}

#!/usr/bin/env node
// Three stacks that each declare a table with the logical id OrdersTable: two
// at the top of the app (Blue, Green) and one inside a Stage (Prod-Api), whose
// template sits in a nested cloud assembly. Only the cloud assembly's
// manifest says which template a change set's stack was deployed from.
import * as cdk from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';

class TableStack extends cdk.Stack {
  constructor(scope: cdk.App | cdk.Stage, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const table = new dynamodb.CfnTable(this, 'Table', {
      keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
      tags: [{ key: 'stack', value: id }],
    });
    table.overrideLogicalId('OrdersTable');
  }
}

const app = new cdk.App();
new TableStack(app, 'Blue');
new TableStack(app, 'Green');
const prod = new cdk.Stage(app, 'Prod');
new TableStack(prod, 'Api');

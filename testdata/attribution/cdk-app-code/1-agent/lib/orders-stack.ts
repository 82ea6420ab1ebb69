import * as cdk from 'aws-cdk-lib';

export class OrdersStack extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
  }
}

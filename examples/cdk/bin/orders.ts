#!/usr/bin/env node
// The CDK app: one stack per environment. The workflow prepares a change set
// for OrdersStack-staging; plangate reads that change set.
import * as cdk from 'aws-cdk-lib';
import { OrdersStack } from '../lib/orders-stack';

const app = new cdk.App();

new OrdersStack(app, 'OrdersStack-staging', {
  environment: 'staging',
  // The account and region come from the credentials the workflow assumes.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
